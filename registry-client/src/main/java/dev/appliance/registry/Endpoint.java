package dev.appliance.registry;

import java.net.URI;
import javax.net.ssl.SSLContext;

/**
 * How to talk to one registry, as decided by {@link EndpointResolver}.
 *
 * @param registry the registry as named in the reference, e.g. {@code 127.0.0.1:5000}
 * @param host host[:port] to connect to ({@code docker.io} maps to its API host)
 * @param plainHttp true when the registry speaks plain HTTP (loopback or --insecure)
 * @param tls the trust to use for HTTPS
 * @param verified false when TLS certificates are not checked (--insecure)
 * @param connection the client the probe used, with {@code tls}: the registry's first calls reuse
 *     its open connection instead of a second client's handshake
 */
record Endpoint(
    String registry,
    String host,
    boolean plainHttp,
    SSLContext tls,
    boolean verified,
    RegistryConnection connection) {

  /** The distribution API root, {@code https://host/v2/}. */
  URI apiRoot() {
    return URI.create((plainHttp ? "http" : "https") + "://" + host + "/v2/");
  }

  /** Docker Hub's references say docker.io; its API lives elsewhere. */
  static String apiHost(String registry) {
    return registry.equals("docker.io") || registry.equals("index.docker.io")
        ? "registry-1.docker.io"
        : registry;
  }
}
