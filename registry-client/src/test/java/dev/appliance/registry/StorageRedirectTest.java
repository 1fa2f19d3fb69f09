package dev.appliance.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Manifest;
import dev.appliance.store.ImageStore;
import dev.appliance.store.StoredImage;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Registries in production (Docker Hub, GHCR, ECR) answer blob downloads with a redirect to object
 * storage. Debian's docker-registry can only do that with a cloud storage driver, which cannot run
 * here, so this test stands in a small registry that requires basic auth and redirects blobs to a
 * second server, and checks that the credentials stay with the registry.
 */
class StorageRedirectTest {
  @TempDir Path dir;

  @Test
  void blobsFollowTheRedirectWithoutTheRegistryCredentials() throws Exception {
    ImageStore source = ImageStore.open(dir.resolve("source"));
    Manifest manifest =
        TestImages.image(source, "app:1", List.of(TestImages.layer(source, 90, 30_000)));
    StoredImage image = source.get("app:1");
    Map<String, String> storageSawAuthorization = new ConcurrentHashMap<>();
    String basic =
        "Basic " + Base64.getEncoder().encodeToString("u:p".getBytes(StandardCharsets.UTF_8));

    HttpServer storage = server();
    storage.createContext(
        "/",
        exchange -> {
          String digest = exchange.getRequestURI().getPath().substring(1);
          String auth = exchange.getRequestHeaders().getFirst("Authorization");
          storageSawAuthorization.put(digest, auth == null ? "none" : auth);
          reply(exchange, 200, source.readBlob(dev.appliance.oci.Digest.parse(digest)), null);
        });
    HttpServer registry = server();
    registry.createContext(
        "/v2/",
        exchange -> {
          String path = exchange.getRequestURI().getPath();
          if (!basic.equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            exchange.getResponseHeaders().add("WWW-Authenticate", "Basic realm=\"test\"");
            reply(exchange, 401, new byte[0], null);
          } else if (path.contains("/manifests/")) {
            // Served as plain JSON, as some registries do: the manifest's own mediaType must count.
            reply(exchange, 200, manifest.raw(), "application/json");
          } else if (path.contains("/blobs/")) {
            // "localhost" is another authority than the registry's 127.0.0.1.
            exchange
                .getResponseHeaders()
                .add(
                    "Location",
                    "http://localhost:"
                        + storage.getAddress().getPort()
                        + "/"
                        + path.substring(path.lastIndexOf('/') + 1));
            reply(exchange, 307, new byte[0], null);
          } else {
            reply(exchange, 200, "{}".getBytes(StandardCharsets.UTF_8), "application/json");
          }
        });
    try {
      RegistryOptions options =
          RegistryOptions.defaults()
              .withRetry(new RetryPolicy(1, Duration.ZERO))
              .withCredential(new RegistryCredential("u", "p"));
      ImageStore target = ImageStore.open(dir.resolve("target"));
      PullResult pulled =
          new ImagePuller(target, options, TransferListener.NONE)
              .pull("127.0.0.1:" + registry.getAddress().getPort() + "/redirect/app:1");
      assertEquals(manifest.digest(), pulled.digest());
      for (Descriptor blob : RemoteReferences.blobsOf(manifest)) {
        assertEquals("none", storageSawAuthorization.get(blob.digest().toString()));
      }
      assertEquals(
          -1L,
          Files.mismatch(
              image.layerFiles().get(0), target.get(pulled.localName()).layerFiles().get(0)));
    } finally {
      registry.stop(0);
      storage.stop(0);
    }
  }

  private static HttpServer server() throws IOException {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.start();
    return server;
  }

  private static void reply(HttpExchange exchange, int status, byte[] body, String contentType)
      throws IOException {
    if (contentType != null) {
      exchange.getResponseHeaders().add("Content-Type", contentType);
    }
    exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
    if (body.length > 0) {
      exchange.getResponseBody().write(body);
    }
    exchange.close();
  }
}
