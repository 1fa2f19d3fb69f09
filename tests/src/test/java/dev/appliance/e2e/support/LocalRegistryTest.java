package dev.appliance.e2e.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.util.Base64;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;

/** The harness's registry is a real docker-registry speaking the distribution API. */
@EndToEnd
class LocalRegistryTest {
  @Test
  void servesTheDistributionApiOnLoopbackAndStops() throws Exception {
    Path dir = E2eEnvironment.freshDirectory("registry-plain");
    String url;
    LocalRegistry stopped;
    try (LocalRegistry registry = LocalRegistry.builder(dir).start()) {
      assertTrue(registry.address().startsWith("127.0.0.1:"), registry.address());
      HttpResponse<String> response =
          get(HttpClient.newHttpClient(), registry.url() + "/v2/", null);
      assertEquals(200, response.statusCode(), response.body());
      assertTrue(Files.isDirectory(registry.storage()));
      url = registry.url();
      stopped = registry;
    }
    assertFalse(stopped.isRunning());
    assertThrows(IOException.class, () -> get(HttpClient.newHttpClient(), url + "/v2/", null));
  }

  @Test
  void basicAuthOverTlsRejectsStrangersAndAcceptsTheUser() throws Exception {
    Path dir = E2eEnvironment.freshDirectory("registry-auth-tls");
    try (LocalRegistry registry =
        LocalRegistry.builder(dir).basicAuth("tester", "s3cret-pw").tls().start()) {
      assertTrue(registry.url().startsWith("https://"), registry.url());
      HttpClient client =
          HttpClient.newBuilder().sslContext(trusting(registry.certificate())).build();
      assertEquals(401, get(client, registry.url() + "/v2/", null).statusCode());
      assertEquals(200, get(client, registry.url() + "/v2/", "tester:s3cret-pw").statusCode());
      assertEquals(401, get(client, registry.url() + "/v2/", "tester:wrong").statusCode());
      // The password never reached a file in clear text.
      assertFalse(Files.readString(dir.resolve("htpasswd")).contains("s3cret-pw"));
    }
  }

  private static HttpResponse<String> get(HttpClient client, String url, String credentials)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).GET();
    if (credentials != null) {
      request.header(
          "Authorization",
          "Basic "
              + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
    }
    return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static SSLContext trusting(Path certificate) throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    try (InputStream in = Files.newInputStream(certificate)) {
      trust.setCertificateEntry(
          "registry", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init(trust);
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(null, factory.getTrustManagers(), null);
    return context;
  }
}
