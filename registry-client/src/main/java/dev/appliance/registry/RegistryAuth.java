package dev.appliance.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.appliance.common.ApplianceException;
import dev.appliance.registry.RegistryException.UnauthorizedException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Authentication towards one registry, shared by the transfer threads: anonymous until the registry
 * asks, then Basic (the credentials themselves) or Bearer (a token from the service the challenge
 * names, for exactly the scopes a request needs, cached per set of scopes and fetched again when
 * the registry refuses it).
 *
 * <p>The credentials go only to the registry's own host and to its token service, and to the latter
 * only over HTTPS when the registry is reached over HTTPS ({@link TokenRealm}); they never appear
 * in a message.
 */
final class RegistryAuth {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration TOKEN_TIMEOUT = Duration.ofSeconds(60);
  private static final int MAX_TOKEN_RESPONSE = 1 << 20;
  private static final int MAX_TOKEN_LENGTH = 1 << 16;

  private final Endpoint endpoint;
  private final Optional<RegistryCredential> credential;
  private final RegistryConnection http;

  /** The registry's last challenge; null until it sent one (anonymous access so far). */
  private volatile AuthChallenge challenge;

  private final Map<String, String> tokens = new ConcurrentHashMap<>();

  RegistryAuth(
      Endpoint endpoint, Optional<RegistryCredential> credential, RegistryConnection http) {
    this.endpoint = endpoint;
    this.credential = credential;
    this.http = http;
  }

  /**
   * The Authorization header for a request to {@code uri} that needs {@code scopes}, if the
   * registry has asked for one; none for other hosts.
   */
  Optional<String> header(URI uri, List<Scope> scopes) throws IOException {
    AuthChallenge current = challenge;
    if (current == null || !isRegistry(uri)) {
      return Optional.empty();
    }
    if (current.isBasic()) {
      return basic();
    }
    String key = Scope.key(scopes);
    String token = tokens.get(key);
    if (token == null) {
      token = fetchToken(current, scopes);
      tokens.put(key, token);
    }
    return Optional.of(token);
  }

  /**
   * Takes in a 401's challenge so that {@link #header} answers it; a token already held for {@code
   * scopes} was refused (expired) and is dropped.
   *
   * @throws UnauthorizedException when the challenge cannot be answered
   */
  void challenged(String wwwAuthenticate, List<Scope> scopes) throws IOException {
    AuthChallenge parsed = AuthChallenge.parse(wwwAuthenticate);
    if (parsed.isBasic()) {
      if (credential.isEmpty()) {
        throw new UnauthorizedException(
            endpoint.registry()
                + " requires authentication: log in with "
                + "'docker login', or give a user name and password");
      }
    } else if (!parsed.isBearer()) {
      throw new UnauthorizedException(
          endpoint.registry()
              + " asks for an unsupported authentication scheme: "
              + printable(parsed.scheme()));
    } else if (parsed.params().get("realm") == null) {
      throw new UnauthorizedException(
          endpoint.registry() + " sent a bearer challenge without a realm");
    }
    tokens.remove(Scope.key(scopes));
    challenge = parsed;
  }

  private String fetchToken(AuthChallenge bearer, List<Scope> scopes) throws IOException {
    String realm = bearer.params().get("realm");
    URI realmUri = TokenRealm.check(realm, endpoint);
    StringBuilder query = new StringBuilder();
    String service = bearer.params().get("service");
    if (service != null) {
      query.append("service=").append(URLEncoder.encode(service, StandardCharsets.UTF_8));
    }
    for (Scope scope : scopes) {
      query
          .append(query.length() == 0 ? "" : "&")
          .append("scope=")
          .append(URLEncoder.encode(scope.toString(), StandardCharsets.UTF_8));
    }
    URI uri = URI.create(realmUri + (realmUri.getRawQuery() == null ? "?" : "&") + query);
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .GET()
            .timeout(TOKEN_TIMEOUT)
            .header("Accept", "application/json")
            .header("User-Agent", "appliance");
    basic().ifPresent(value -> request.header("Authorization", value));
    HttpResponse<InputStream> response =
        http.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    int status = response.statusCode();
    if (status == 401 || status == 403) {
      RegistryConnection.discard(response);
      throw new UnauthorizedException(
          endpoint.registry()
              + ": could not obtain a registry token: the token "
              + "service refused the credentials (HTTP "
              + status
              + ")");
    }
    if (status != 200) {
      String detail = RegistryConnection.errorText(response);
      throw RegistryException.forStatus(
          status,
          endpoint.registry()
              + ": could not obtain a registry token: the "
              + "token service answered HTTP "
              + status
              + detail);
    }
    JsonNode body;
    try (InputStream in = response.body()) {
      body = JSON.readTree(in.readNBytes(MAX_TOKEN_RESPONSE));
    }
    String token = body.path("token").asText(body.path("access_token").asText(""));
    // Sent back as a header: a token with other characters could split it.
    if (token.isEmpty()
        || token.length() > MAX_TOKEN_LENGTH
        || !token.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      throw new ApplianceException(
          endpoint.registry()
              + ": could not obtain a registry token: the token service "
              + "sent no usable token");
    }
    return "Bearer " + token;
  }

  private Optional<String> basic() {
    return credential.map(
        c ->
            "Basic "
                + Base64.getEncoder()
                    .encodeToString(
                        (c.username() + ":" + c.password()).getBytes(StandardCharsets.UTF_8)));
  }

  private boolean isRegistry(URI uri) {
    return endpoint.host().equalsIgnoreCase(uri.getRawAuthority());
  }

  private static String printable(String text) {
    String cleaned = text.replaceAll("[^\\x21-\\x7e]", "?");
    return cleaned.length() > 40 ? cleaned.substring(0, 40) + "..." : cleaned;
  }
}
