package dev.appliance.registry;

import dev.appliance.common.ApplianceException;
import dev.appliance.oci.ImageReference;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.time.Duration;

/**
 * Decides how to reach a registry before any credential is sent: HTTPS with
 * verified certificates by default; plain HTTP only for loopback registries or
 * with --insecure; unverified TLS only with --insecure. One probe of
 * {@code GET /v2/} tells a certificate the client does not trust apart from a
 * server that does not speak TLS at all, so each gets its own clear error.
 */
final class EndpointResolver {
    private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(15);

    private EndpointResolver() {}

    static Endpoint resolve(ImageReference ref, RegistryOptions options, Retry retry) {
        String registry = ref.registry();
        String host = Endpoint.apiHost(registry);
        boolean httpAllowed = options.insecure() || ref.isLoopbackRegistry();
        SSLContext verifying = TlsContexts.verifying(options.caCert());
        return retry.run("connecting to " + registry, () -> {
            try {
                probe(URI.create("https://" + host + "/v2/"), verifying);
                return new Endpoint(registry, host, false, verifying, true);
            } catch (SSLException e) {
                if (isUntrustedCertificate(e)) {
                    if (!options.insecure()) {
                        throw new ApplianceException("cannot verify the TLS certificate of " + registry + ": "
                                + rootMessage(e) + ". If a private CA signed it, pass --ca-cert FILE; "
                                + "--insecure skips verification");
                    }
                    SSLContext any = TlsContexts.trustAll();
                    probe(URI.create("https://" + host + "/v2/"), any);
                    return new Endpoint(registry, host, false, any, false);
                }
                if (!httpAllowed) {
                    throw new ApplianceException(registry + " does not speak TLS (" + rootMessage(e)
                            + "); plain HTTP is used only for loopback registries or with --insecure");
                }
                return plainHttp(registry, host, verifying);
            } catch (ConnectException e) {
                // No port given and nothing on 443: a plain-HTTP registry may listen on 80.
                if (httpAllowed && !host.contains(":")) {
                    return plainHttp(registry, host, verifying);
                }
                throw e;
            }
        });
    }

    private static Endpoint plainHttp(String registry, String host, SSLContext tls) throws IOException, InterruptedException {
        probe(URI.create("http://" + host + "/v2/"), tls);
        return new Endpoint(registry, host, true, tls, true);
    }

    /** Any HTTP answer (200, 401, ...) means the transport works. */
    private static void probe(URI uri, SSLContext tls) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder()
                .sslContext(tls)
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(PROBE_TIMEOUT)
                .build();
        HttpResponse<Void> response = client.send(
                HttpRequest.newBuilder(uri).timeout(PROBE_TIMEOUT).GET().build(),
                HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() >= 500) {
            throw new HttpStatusException(response.statusCode(), "HTTP " + response.statusCode() + " from " + uri);
        }
    }

    private static boolean isUntrustedCertificate(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof CertificateException || t instanceof CertPathValidatorException) {
                return true;
            }
        }
        return false;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
