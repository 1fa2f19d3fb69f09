package dev.appliance.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Manifest;
import dev.appliance.store.ImageStore;
import dev.appliance.store.StoredImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Uploads against a real docker-registry whose access log shows each request: chunks and mounts.
 */
class BlobUploadTest {
  @TempDir Path dir;
  RegistryServer registry;
  ImageStore local;

  @BeforeEach
  void start() throws IOException {
    registry = RegistryServer.plainWithAccessLog(dir.resolve("registry"));
    local = ImageStore.open(dir.resolve("local"));
  }

  @AfterEach
  void stop() {
    registry.close();
  }

  private static RegistryOptions options() {
    return RegistryOptions.defaults()
        .withRetry(new RetryPolicy(1, Duration.ZERO))
        .withDockerConfig(Path.of("/nonexistent/config.json"));
  }

  @Test
  void aLargeBlobGoesInChunksAndArrivesExact() throws IOException {
    TestImages.Layer big = TestImages.layer(local, 7, 50_000);
    Manifest manifest = TestImages.image(local, "app:1", List.of(big));
    long size = big.descriptor().size();
    int chunk = 16_384;
    // Blobs above 10,000 bytes are chunked: the layer, not the config.
    UploadPolicy policy = new UploadPolicy(10_000, chunk);

    RecordingListener listener = new RecordingListener();
    PushResult pushed =
        new ImagePusher(local, options(), listener, policy)
            .push("app:1", registry.host() + "/chunks/app:1");

    assertEquals(manifest.digest(), pushed.digest());
    assertEquals(size + manifest.config().size(), pushed.bytesSent());
    List<String> patches = registry.requests("PATCH");
    assertEquals((size + chunk - 1) / chunk, patches.size(), patches.toString());
    ImageStore other = ImageStore.open(dir.resolve("other"));
    PullResult pulled =
        new ImagePuller(other, options(), TransferListener.NONE)
            .pull(registry.host() + "/chunks/app:1");
    assertEquals(manifest.digest(), pulled.digest());
    StoredImage copy = other.get(pulled.localName());
    assertEquals(
        -1L, Files.mismatch(local.blobPath(big.descriptor().digest()), copy.layerFiles().get(0)));
  }

  @Test
  void aSmallBlobGoesInOneRequest() throws IOException {
    Manifest manifest =
        TestImages.image(local, "app:1", List.of(TestImages.layer(local, 8, 50_000)));
    new ImagePusher(local, options(), TransferListener.NONE)
        .push("app:1", registry.host() + "/whole/app:1");
    assertEquals(List.of(), registry.requests("PATCH"));
    // One POST and one PUT with the digest per blob.
    assertEquals(2, registry.requests("POST").size(), registry.requests("POST").toString());
    for (Descriptor blob : RemoteReferences.blobsOf(manifest)) {
      assertTrue(
          registry.requests("PUT").stream()
              .anyMatch(line -> line.contains("digest=sha256%3A" + blob.digest().hex())),
          registry.requests("PUT").toString());
    }
  }

  @Test
  void aBlobAnotherRepositoryHoldsIsMountedNotSent() throws IOException {
    Manifest manifest =
        TestImages.image(local, "app:1", List.of(TestImages.layer(local, 9, 40_000)));
    new ImagePusher(local, options(), TransferListener.NONE)
        .push("app:1", registry.host() + "/ops/lamp:1");

    PushResult second =
        new ImagePusher(local, options(), TransferListener.NONE)
            .push("app:1", registry.host() + "/ops/snort:1");

    assertEquals(manifest.digest(), second.digest());
    assertEquals(0, second.bytesSent());
    assertEquals(0, second.blobsSent());
    List<String> mounts =
        registry.requests("POST").stream().filter(line -> line.contains("mount=")).toList();
    assertEquals(2, mounts.size(), mounts.toString());
    assertTrue(
        mounts.stream()
            .allMatch(
                line ->
                    line.contains("/v2/ops/snort/blobs/uploads/")
                        && line.contains("from=ops%2Flamp")),
        mounts.toString());
    PullResult pulled =
        new ImagePuller(ImageStore.open(dir.resolve("other")), options(), TransferListener.NONE)
            .pull(registry.host() + "/ops/snort:1");
    assertEquals(manifest.digest(), pulled.digest());
  }
}
