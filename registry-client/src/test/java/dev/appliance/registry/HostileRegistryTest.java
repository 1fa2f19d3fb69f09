package dev.appliance.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.appliance.common.ApplianceException;
import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.Digest;
import dev.appliance.oci.MediaTypes;
import dev.appliance.store.ImageStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A registry that lies about sizes. docker-registry checks what it is given, so it cannot play this
 * part: a small HTTP server speaking the same read API does, serving a manifest whose descriptors
 * claim less (or far more) than it sends.
 */
class HostileRegistryTest {
  @TempDir Path dir;
  HttpServer server;
  final Map<String, byte[]> served = new ConcurrentHashMap<>();
  final List<String> requested = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/v2/", this::answer);
    server.start();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  private void answer(HttpExchange exchange) throws IOException {
    String path = exchange.getRequestURI().getPath();
    requested.add(path);
    byte[] body = path.equals("/v2/") ? "{}".getBytes(StandardCharsets.UTF_8) : served.get(path);
    if (body == null) {
      exchange.sendResponseHeaders(404, -1);
    } else {
      exchange
          .getResponseHeaders()
          .add(
              "Content-Type",
              path.contains("/manifests/") ? MediaTypes.OCI_MANIFEST : "application/octet-stream");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
    }
    exchange.close();
  }

  private String serveImage(byte[] config, long configSize, byte[] layer, long layerSize) {
    Digest c = Digest.sha256(config);
    Digest l = Digest.sha256(layer);
    served.put("/v2/evil/blobs/" + c, config);
    served.put("/v2/evil/blobs/" + l, layer);
    String manifest =
        "{\"schemaVersion\":2,\"mediaType\":\""
            + MediaTypes.OCI_MANIFEST
            + "\","
            + "\"config\":{\"mediaType\":\""
            + MediaTypes.OCI_CONFIG
            + "\",\"digest\":\""
            + c
            + "\",\"size\":"
            + configSize
            + "},"
            + "\"layers\":[{\"mediaType\":\""
            + MediaTypes.OCI_LAYER_GZIP
            + "\",\"digest\":\""
            + l
            + "\",\"size\":"
            + layerSize
            + "}]}";
    served.put("/v2/evil/manifests/1", manifest.getBytes(StandardCharsets.UTF_8));
    return "127.0.0.1:" + server.getAddress().getPort() + "/evil:1";
  }

  private ImagePuller puller(ImageStore store) {
    return new ImagePuller(
        store,
        RegistryOptions.defaults()
            .withRetry(new RetryPolicy(1, Duration.ZERO))
            .withDockerConfig(Path.of("/nonexistent/config.json")),
        TransferListener.NONE);
  }

  private static void assertUntouched(ImageStore store) throws IOException {
    assertEquals(List.of(), store.tags());
    try (var blobs = Files.list(store.root().resolve("blobs/sha256"));
        var temps = Files.list(store.root().resolve("tmp"))) {
      assertEquals(0, blobs.count(), "no blob entered the store");
      assertEquals(0, temps.count(), "no partial file was left");
    }
  }

  @Test
  void aBlobLargerThanItsDescriptorStopsAtTheFirstByteBeyondAndNothingIsStored()
      throws IOException {
    byte[] layer = new byte[300_000];
    String ref = serveImage("{}".getBytes(StandardCharsets.UTF_8), 2, layer, 1_000);
    ImageStore store = ImageStore.open(dir.resolve("s"));
    ApplianceException e = assertThrows(ApplianceException.class, () -> puller(store).pull(ref));
    assertTrue(
        e.getMessage().contains("is larger than the 1000 bytes its manifest says"), e.getMessage());
    assertFalse(store.hasBlob(Digest.sha256(layer)));
    assertEquals(List.of(), store.tags());
  }

  @Test
  void aHugeConfigIsRefusedBeforeAnyBlobIsRequested() throws IOException {
    String ref = serveImage("{}".getBytes(StandardCharsets.UTF_8), 64L << 20, new byte[10], 10);
    ImageStore store = ImageStore.open(dir.resolve("s"));
    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> puller(store).pull(ref));
    assertTrue(
        e.getMessage().contains("declares a config of 67108864 bytes; at most 4194304"),
        e.getMessage());
    assertTrue(requested.stream().noneMatch(p -> p.contains("/blobs/")), requested.toString());
    assertUntouched(store);
  }

  @Test
  void anAbsurdLayerSizeIsRefusedAsInvalidInput() throws IOException {
    String ref = serveImage("{}".getBytes(StandardCharsets.UTF_8), 2, new byte[10], 1L << 50);
    ImageStore store = ImageStore.open(dir.resolve("s"));
    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> puller(store).pull(ref));
    assertTrue(e.getMessage().contains("out of range"), e.getMessage());
    assertUntouched(store);
  }
}
