package dev.appliance.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.cloud.tools.jib.api.Credential;
import dev.appliance.common.ApplianceException;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The read side of the distribution API (manifests and blobs by GET), over
 * {@link HttpGet}, with anonymous, basic and bearer-token authentication. Jib's
 * pull methods re-parse manifests into its templates, losing the exact bytes a
 * digest is computed over, so pulls do not go through Jib (see docs/registry.md).
 */
final class RegistryHttp {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern CHALLENGE_PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final Endpoint endpoint;
    private final String repository;
    private final Optional<Credential> credential;
    /** The Authorization header value once a challenge was answered; shared by the transfer threads. */
    private final AtomicReference<String> authorization = new AtomicReference<>();

    RegistryHttp(Endpoint endpoint, String repository, Optional<Credential> credential) {
        this.endpoint = endpoint;
        this.repository = repository;
        this.credential = credential;
    }

    /** A manifest's bytes and its content type, at most {@code limit} bytes. */
    record Fetched(byte[] body, String contentType, Optional<String> dockerContentDigest) {}

    Fetched manifest(String reference, String accept, int limit) throws IOException {
        try (HttpGet.Response response = get("manifests/" + reference, accept);
             InputStream body = response.body()) {
            byte[] bytes = body.readNBytes(limit + 1);
            if (bytes.length > limit) {
                throw new ApplianceException("the manifest of " + repository + ":" + reference + " is larger than " + limit + " bytes");
            }
            String type = response.header("Content-Type");
            return new Fetched(bytes, type == null ? "" : type, Optional.ofNullable(response.header("Docker-Content-Digest")));
        }
    }

    /**
     * Streams a blob into {@code out}, never more than {@code size} bytes.
     *
     * @throws IOException when the transfer ends early (transient: retried)
     */
    long blob(String digest, long size, OutputStream out, LongConsumer progress) throws IOException {
        try (HttpGet.Response response = get("blobs/" + digest, "*/*");
             InputStream body = response.body()) {
            byte[] buffer = new byte[1 << 16];
            long total = 0;
            int n;
            while ((n = body.read(buffer, 0, (int) Math.min(buffer.length, size + 1 - total))) > 0) {
                if (Thread.currentThread().isInterrupted()) {
                    throw new InterruptedIOException("download of " + digest + " cancelled");
                }
                if (total + n > size) {
                    // Checked before writing: not one byte beyond the declared size reaches the store.
                    throw new ApplianceException("blob " + digest + " from " + endpoint.registry()
                            + " is larger than the " + size + " bytes its manifest says");
                }
                out.write(buffer, 0, n);
                total += n;
                progress.accept(total);
            }
            if (total < size) {
                throw new IOException("blob " + digest + " ended after " + total + " of " + size + " bytes");
            }
            return total;
        }
    }

    private HttpGet.Response get(String path, String accept) throws IOException {
        URI uri = endpoint.apiRoot().resolve(repository + "/" + path);
        HttpGet.Response response = HttpGet.send(uri, accept, authorization.get(), endpoint, TIMEOUT);
        if (response.status() == 401) {
            String challenge = response.header("WWW-Authenticate");
            response.close();
            authorization.set(answer(challenge == null ? "" : challenge));
            response = HttpGet.send(uri, accept, authorization.get(), endpoint, TIMEOUT);
        }
        int status = response.status();
        if (status == 200) {
            return response;
        }
        String detail = readError(response);
        if (status == 401 || status == 403) {
            throw new ApplianceException(endpoint.registry() + ": authentication failed or access denied (HTTP " + status
                    + ") for " + repository + ": check the credentials (docker config, credential helper, or "
                    + "--username/--password-stdin)");
        }
        if (status == 404) {
            throw new ApplianceException(endpoint.registry() + "/" + repository + ": " + path.replace('/', ' ')
                    + " not found (HTTP 404)" + detail);
        }
        throw new HttpStatusException(status, "HTTP " + status + " for " + uri + detail);
    }

    /** Answers a WWW-Authenticate challenge with an Authorization header value. */
    private String answer(String challenge) throws IOException {
        if (challenge.regionMatches(true, 0, "Basic", 0, 5)) {
            return basic().orElseThrow(() -> new ApplianceException(endpoint.registry()
                    + " requires authentication: log in with 'docker login', or pass --username and --password-stdin"));
        }
        if (!challenge.regionMatches(true, 0, "Bearer", 0, 6)) {
            throw new ApplianceException(endpoint.registry() + " asks for an unsupported authentication scheme: "
                    + challenge.split(" ", 2)[0]);
        }
        Map<String, String> params = new LinkedHashMap<>();
        Matcher m = CHALLENGE_PARAM.matcher(challenge);
        while (m.find()) {
            params.put(m.group(1), m.group(2));
        }
        String realm = params.get("realm");
        if (realm == null) {
            throw new ApplianceException(endpoint.registry() + " sent a bearer challenge without a realm");
        }
        TokenRealm.check(realm, endpoint);
        StringBuilder query = new StringBuilder();
        if (params.containsKey("service")) {
            query.append("service=").append(URLEncoder.encode(params.get("service"), StandardCharsets.UTF_8)).append('&');
        }
        query.append("scope=").append(URLEncoder.encode(params.getOrDefault("scope", "repository:" + repository + ":pull"),
                StandardCharsets.UTF_8));
        URI tokenUri = URI.create(realm + (realm.contains("?") ? "&" : "?") + query);
        try (HttpGet.Response response = HttpGet.send(tokenUri, "application/json", basic().orElse(null), endpoint, TIMEOUT);
             InputStream body = response.body()) {
            if (response.status() != 200) {
                throw new ApplianceException(endpoint.registry() + ": the token service refused the credentials (HTTP "
                        + response.status() + ")");
            }
            JsonNode token = JSON.readTree(body.readNBytes(1 << 20));
            String value = token.path("token").asText(token.path("access_token").asText(""));
            if (value.isEmpty()) {
                throw new ApplianceException(endpoint.registry() + ": the token service sent no token");
            }
            return "Bearer " + value;
        }
    }

    private Optional<String> basic() {
        return credential.map(c -> "Basic " + Base64.getEncoder().encodeToString(
                (c.getUsername() + ":" + c.getPassword()).getBytes(StandardCharsets.UTF_8)));
    }

    /** The registry's error text, if short; it never echoes credentials. */
    private static String readError(HttpGet.Response response) throws IOException {
        try (response; InputStream body = response.body()) {
            String text = new String(body.readNBytes(512), StandardCharsets.UTF_8).strip();
            return text.isEmpty() ? "" : ": " + text;
        }
    }
}
