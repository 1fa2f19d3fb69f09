package dev.appliance.registry;

import dev.appliance.oci.ImageReference;
import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;

/**
 * Decides how to reach a registry before any credential is sent: HTTPS with verified certificates
 * by default; plain HTTP only for loopback registries or with --insecure; unverified TLS only with
 * --insecure. One probe of {@code GET /v2/} tells a certificate the client does not trust apart
 * from a server that does not speak TLS at all, so each gets its own clear error.
 *
 * <p>Loopback registries are probed over plain HTTP first: a TLS server answers that with HTTP 400
 * (or drops it), and then HTTPS is used as for any registry. The probe carries no credentials, and
 * a plain-HTTP pull never pays for loading the CA store.
 */
final class EndpointResolver {
  private static final Duration PROBE_TIMEOUT = Duration.ofSeconds(15);

  private EndpointResolver() {}

  static Endpoint resolve(ImageReference ref, RegistryOptions options, Retry retry) {
    String registry = ref.registry();
    String host = Endpoint.apiHost(registry);
    boolean httpAllowed = options.insecure() || ref.isLoopbackRegistry();
    return retry.run(
        "connecting to " + registry,
        () -> {
          if (ref.isLoopbackRegistry()) {
            Endpoint plain = candidate(registry, host, true, TlsContexts.trustNothing(), true);
            if (speaksPlainHttp(plain)) {
              return plain;
            }
          }
          Endpoint verifying =
              candidate(registry, host, false, TlsContexts.verifying(options.caCert()), true);
          try {
            return probed(verifying);
          } catch (SSLException e) {
            if (isUntrustedCertificate(e)) {
              if (!options.insecure()) {
                throw new RegistryAccessException(
                    RegistryAccessException.Remedy.TRUST_CA,
                    "cannot verify the TLS certificate of "
                        + registry
                        + ": "
                        + rootMessage(e)
                        + ". If a private CA signed it, trust that CA's certificate; or skip"
                        + " verification for this registry");
              }
              return probed(candidate(registry, host, false, TlsContexts.trustAll(), false));
            }
            if (!httpAllowed) {
              throw new RegistryAccessException(
                  RegistryAccessException.Remedy.ALLOW_PLAIN_HTTP,
                  registry
                      + " does not speak TLS ("
                      + rootMessage(e)
                      + "); plain HTTP is used only for"
                      + " loopback registries or when allowed for this registry");
            }
            return plainHttp(registry, host);
          } catch (ConnectException e) {
            // No port given and nothing on 443: a plain-HTTP registry may listen on 80.
            if (httpAllowed && !host.contains(":")) {
              return plainHttp(registry, host);
            }
            throw e;
          }
        });
  }

  private static Endpoint plainHttp(String registry, String host) throws IOException {
    return probed(candidate(registry, host, true, TlsContexts.trustNothing(), true));
  }

  /** A way to reach the registry, with the client its probe and first calls use; not yet tried. */
  private static Endpoint candidate(
      String registry, String host, boolean plainHttp, SSLContext tls, boolean verified) {
    return new Endpoint(registry, host, plainHttp, tls, verified, new RegistryConnection(tls));
  }

  /** {@code endpoint}, once its API root answered the probe. */
  private static Endpoint probed(Endpoint endpoint) throws IOException {
    probe(endpoint.apiRoot(), endpoint.connection());
    return endpoint;
  }

  /** True when the server answers plain HTTP like a registry (not with 400, as TLS servers do). */
  private static boolean speaksPlainHttp(Endpoint plain) throws IOException {
    try {
      probed(plain);
      return true;
    } catch (ConnectException | RegistryException e) {
      throw e;
    } catch (IOException notHttp) {
      return false;
    }
  }

  /** Any HTTP answer (200, 401, 404) means the transport works; 400 means it does not. */
  private static void probe(URI uri, RegistryConnection connection) throws IOException {
    // No credentials: where they may go is what this decides.
    HttpRequest request = RegistryClient.request(uri).timeout(PROBE_TIMEOUT).GET().build();
    int status = connection.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    if (status >= 500) {
      throw RegistryException.forStatus(status, "HTTP " + status + " from " + uri);
    }
    if (status == 400) {
      throw new IOException("HTTP 400 from " + uri + ": not this protocol");
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
