package dev.appliance.registry;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.ApplianceException;
import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Manifest;
import dev.appliance.store.ImageStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A registry that dies in the middle of a transfer (SIGKILL) and comes back. */
class InterruptedTransferTest {
  /**
   * Larger than what loopback TCP can hold in flight (tcp_rmem up to 32 MiB plus tcp_wmem's 4 MiB
   * here): a registry killed early in this blob's download cannot have sent the rest already, so
   * the pull must fail.
   */
  private static final int BIG = 48 << 20;

  @TempDir Path dir;
  RegistryServer registry;
  ImageStore local;
  TestImages.Layer big;
  Manifest manifest;

  @BeforeEach
  void setUp() throws IOException {
    registry = RegistryServer.plain(dir.resolve("registry"));
    local = ImageStore.open(dir.resolve("local"));
    big = TestImages.layer(local, 40, BIG);
    manifest =
        TestImages.image(
            local,
            "app:1",
            List.of(TestImages.layer(local, 41, 30_000), big, TestImages.layer(local, 42, 20_000)));
  }

  @AfterEach
  void tearDown() {
    registry.close();
  }

  private RegistryOptions options(RetryPolicy retry) {
    return RegistryOptions.defaults()
        .withRetry(retry)
        .withDockerConfig(Path.of("/nonexistent/config.json"));
  }

  /** Kills the registry once the big blob is a third through; runs {@code afterKill} then. */
  private RecordingListener killingListener(Runnable afterKill) {
    return killingListener(BIG / 3, afterKill);
  }

  /** Kills the registry once {@code afterBytes} of the big blob have moved. */
  private RecordingListener killingListener(long afterBytes, Runnable afterKill) {
    AtomicBoolean killed = new AtomicBoolean();
    return new RecordingListener() {
      @Override
      public void blobProgress(Descriptor blob, long bytesDone) {
        if (blob.equals(big.descriptor())
            && bytesDone >= afterBytes
            && killed.compareAndSet(false, true)) {
          registry.kill();
          afterKill.run();
        }
      }
    };
  }

  private String remote() {
    return registry.host() + "/crash/app:1";
  }

  @Test
  void aPushRerunAfterTheRegistryCameBackSendsOnlyWhatWasMissing() throws IOException {
    RecordingListener first = killingListener(() -> {});
    ImagePusher failing =
        new ImagePusher(local, options(new RetryPolicy(2, Duration.ofMillis(50))), first);
    assertThrows(ApplianceException.class, () -> failing.push("app:1", remote()));
    assertFalse(first.finished.contains(big.descriptor().digest().toString()));

    registry.start();
    RecordingListener second = new RecordingListener();
    PushResult result =
        new ImagePusher(local, options(RetryPolicy.DEFAULT), second).push("app:1", remote());
    assertEquals(manifest.digest(), result.digest());
    assertTrue(
        second.skipped.containsAll(first.finished), second.skipped + " vs " + first.finished);
    assertFalse(second.skipped.contains(big.descriptor().digest().toString()));
    long expected =
        manifest.layers().stream()
                .filter(l -> !second.skipped.contains(l.digest().toString()))
                .mapToLong(Descriptor::size)
                .sum()
            + (second.skipped.contains(manifest.config().digest().toString())
                ? 0
                : manifest.config().size());
    assertEquals(expected, result.bytesSent());
  }

  @Test
  void aPushRidesOutARegistryRestartWithRetries() {
    RecordingListener listener =
        killingListener(
            () ->
                new Thread(
                        () -> {
                          try {
                            Thread.sleep(700);
                            registry.start();
                          } catch (Exception e) {
                            throw new IllegalStateException(e);
                          }
                        })
                    .start());
    PushResult result =
        assertDoesNotThrow(
            () ->
                new ImagePusher(
                        local, options(new RetryPolicy(6, Duration.ofMillis(300))), listener)
                    .push("app:1", remote()),
            () -> "docker-registry said:\n" + registry.log());
    assertEquals(manifest.digest(), result.digest());
    assertTrue(
        listener.stages.stream().anyMatch(s -> s.contains("retrying")), listener.stages.toString());
  }

  /**
   * What a registry killed at the wrong moment leaves (the cause of a rare failure of the test
   * above): docker-registry writes a repository's link file for a blob by truncating, then writing
   * it; killed in between, it leaves the file empty and answers every check of that blob with HTTP
   * 500. A push uploads the blob again, which rewrites the link, instead of failing on the check.
   */
  @Test
  void aPushRepairsABlobRecordARegistryCrashLeftEmpty() throws IOException {
    new ImagePusher(local, options(RetryPolicy.DEFAULT), TransferListener.NONE)
        .push("app:1", remote());
    Descriptor layer = manifest.layers().get(0);
    java.nio.file.Files.write(
        registry.layerLink("crash/app", layer.digest().toString()), new byte[0]);

    RecordingListener listener = new RecordingListener();
    PushResult again =
        assertDoesNotThrow(
            () ->
                new ImagePusher(local, options(new RetryPolicy(2, Duration.ofMillis(50))), listener)
                    .push("app:1", remote()),
            () -> "docker-registry said:\n" + registry.log());
    assertEquals(manifest.digest(), again.digest());
    assertEquals(1, again.blobsSent(), "only the blob whose record was damaged is uploaded again");
    assertEquals(layer.size(), again.bytesSent());
    PullResult pulled =
        new ImagePuller(
                ImageStore.open(dir.resolve("fresh")),
                options(RetryPolicy.DEFAULT),
                TransferListener.NONE)
            .pull(remote());
    assertEquals(manifest.digest(), pulled.digest());
  }

  @Test
  void aPullRerunDoesNotDownloadFinishedBlobsAgain() throws IOException {
    new ImagePusher(local, options(RetryPolicy.DEFAULT), TransferListener.NONE)
        .push("app:1", remote());
    ImageStore other = ImageStore.open(dir.resolve("other"));
    // Killed at the big blob's first bytes: the rest cannot be in flight already (see BIG).
    RecordingListener first = killingListener(1, () -> {});
    assertThrows(
        ApplianceException.class,
        () ->
            new ImagePuller(other, options(new RetryPolicy(2, Duration.ofMillis(50))), first)
                .pull(remote()));
    assertTrue(other.tags().isEmpty());
    assertFalse(other.hasBlob(big.descriptor().digest()));

    registry.start();
    PullResult result =
        new ImagePuller(other, options(RetryPolicy.DEFAULT), TransferListener.NONE).pull(remote());
    assertEquals(manifest.digest(), result.digest());
    assertEquals(first.finished.size(), result.blobsSkipped());
    assertTrue(result.bytesReceived() >= BIG);
  }
}
