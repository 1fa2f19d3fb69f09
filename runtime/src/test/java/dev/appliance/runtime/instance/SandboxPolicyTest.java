package dev.appliance.runtime.instance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.ApplianceException;
import dev.appliance.oci.Descriptor;
import dev.appliance.oci.ImageConfig;
import dev.appliance.oci.Manifest;
import dev.appliance.runtime.engine.Bubblewrap;
import dev.appliance.runtime.host.RunRemedy;
import dev.appliance.store.ImageStore;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * When engines run sandboxed. A host without user namespaces cannot be made here without disturbing
 * the other jobs on it, so the unavailable case is the probe's outcome given as a value; the
 * available case is this host's real probe.
 */
class SandboxPolicyTest {
  private static final Bubblewrap.Support NONE_HERE =
      Bubblewrap.Support.unavailable(
          "bubblewrap (bwrap) is not installed",
          "apt-get install -y --no-install-recommends bubblewrap");

  private final List<String> progress = new ArrayList<>();

  @Test
  void registryImageIsRefusedWithoutASandboxSayingWhyAndHow() {
    ApplianceException e =
        assertThrows(
            ApplianceException.class,
            () ->
                SandboxPolicy.unconfined(
                    NONE_HERE, image("127.0.0.1:5000/x:1", true), false, progress::add));
    assertTrue(e.getMessage().contains("came from a registry"), e.getMessage());
    assertTrue(e.getMessage().contains("bubblewrap (bwrap) is not installed"), e.getMessage());
    assertTrue(
        e.getMessage().contains("apt-get install -y --no-install-recommends bubblewrap"),
        e.getMessage());
    assertEquals(
        Optional.of(RunRemedy.RUN_UNSANDBOXED), e.remedy(), "the caller may run it unconfined");
  }

  @Test
  void localBuildRunsUnconfinedWithAWarning() {
    assertTrue(
        SandboxPolicy.unconfined(NONE_HERE, image("lamp:1.0.0", false), false, progress::add));
    assertEquals(1, progress.size());
    assertTrue(progress.get(0).startsWith("warning: engines cannot be sandboxed"), progress.get(0));
  }

  @Test
  void noSandboxRunsEvenARegistryImageUnconfinedWithAWarning() {
    assertTrue(
        SandboxPolicy.unconfined(
            NONE_HERE, image("127.0.0.1:5000/x:1", true), true, progress::add));
    assertTrue(
        progress.get(0).startsWith("warning: running without the sandbox as asked"),
        progress.toString());
    assertTrue(progress.get(0).contains("run unconfined"), progress.toString());
  }

  @Test
  void aHostThatCanSandboxConfinesEveryImage() {
    Bubblewrap.Support host = Bubblewrap.probe();
    Assumptions.assumeTrue(host.sandbox().isPresent(), () -> "no sandbox here: " + host.problem());
    assertFalse(
        SandboxPolicy.unconfined(host, image("127.0.0.1:5000/x:1", true), false, progress::add));
    assertFalse(SandboxPolicy.unconfined(host, image("lamp:1.0.0", false), false, progress::add));
    assertEquals(List.of(), progress);
  }

  @Test
  void anImageIsLocalOnlyWhenEveryNameItHasIsLocal(@TempDir Path dir) throws IOException {
    ImageStore store = ImageStore.open(dir.resolve("store"));
    Descriptor built = put(store, "built");
    store.tag("lamp:1.0.0", built);
    Descriptor pulled = put(store, "pulled");
    store.tag("127.0.0.1:5000/ops/lamp:1.0.0", pulled);
    store.tag("mine:1", pulled); // a local alias does not launder it
    Descriptor byDigest = put(store, "pulled by digest, untagged");

    assertFalse(StoreBootImages.fromRegistry(store, "lamp:1.0.0", built.digest()));
    assertTrue(StoreBootImages.fromRegistry(store, "mine:1", pulled.digest()));
    assertTrue(
        StoreBootImages.fromRegistry(store, "127.0.0.1:5000/ops/lamp:1.0.0", pulled.digest()));
    assertTrue(
        StoreBootImages.fromRegistry(store, byDigest.digest().toString(), byDigest.digest()));
  }

  private static Descriptor put(ImageStore store, String history) throws IOException {
    ImageConfig config =
        ImageConfig.create(
            Instant.parse("2026-01-01T00:00:00Z"),
            Map.of(),
            List.of(),
            List.of(new ImageConfig.History("SandboxPolicyTest", history)));
    return store.putImage(config, Manifest.create(config.descriptor(), List.of(), Map.of()));
  }

  private static BootImage image(String reference, boolean fromRegistry) {
    return new BootImage(reference, "sha256:0", null, Path.of("/nonexistent"), null, fromRegistry);
  }
}
