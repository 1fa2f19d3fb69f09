package dev.appliance.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.appliance.common.HostTools;
import dev.appliance.store.ImageStore;
import dev.appliance.store.StoreVerifier;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A real build (mmdebstrap, in a child JVM) killed with SIGKILL while it writes its layer into the
 * store: the store shows nothing of it and verifies clean; gc removes the partial file. (What else
 * a killed build leaves, mounts, is for the build's own tests.)
 */
@Tag("build")
class BuildKillTest {
  private Path home;
  private Process child;

  @AfterEach
  void cleanUp() throws InterruptedException {
    if (child != null) {
      child.destroyForcibly();
      child.waitFor();
    }
    if (home != null) {
      Mounts.unmountAllUnder(home);
      Workspace.delete(home);
    }
  }

  private static long largestPart(Path store) throws IOException {
    if (!Files.isDirectory(store.resolve("tmp"))) {
      return 0;
    }
    try (Stream<Path> temps = Files.list(store.resolve("tmp"))) {
      return temps.mapToLong(p -> p.toFile().length()).max().orElse(0);
    }
  }

  @Test
  void aBuildKilledWhileWritingItsLayerLeavesAStoreThatVerifiesClean() throws Exception {
    assumeTrue(HostTools.isRoot(), "building needs root (mmdebstrap root mode, overlayfs, chroot)");
    home = Files.createDirectories(Path.of("/var/tmp/appliance-build-kill-" + UUID.randomUUID()));
    Path store = home.resolve("data/store");
    child =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                BuildMain.class.getName(),
                home.toString())
            .redirectErrorStream(true)
            .redirectOutput(home.resolve("build.log").toFile())
            .start();
    Instant deadline = Instant.now().plusSeconds(600);
    while (largestPart(store) < (1 << 20) && child.isAlive() && Instant.now().isBefore(deadline)) {
      Thread.sleep(20);
    }
    assertTrue(
        child.isAlive(),
        "the build must be writing its layer: " + Files.readString(home.resolve("build.log")));
    List<ProcessHandle> helpers = child.descendants().toList();
    child.destroyForcibly(); // SIGKILL
    assertTrue(child.waitFor(30, TimeUnit.SECONDS));
    child = null;
    helpers.forEach(
        ProcessHandle::destroyForcibly); // the build's own child processes, if any were running

    ImageStore images = ImageStore.open(store);
    assertEquals(List.of(), images.tags(), "no image from a killed build");
    StoreVerifier.Report report = new StoreVerifier(images).verify(false);
    assertTrue(report.clean(), report.problems().toString());
    assertEquals(0, report.blobs(), "no blob took a name");
    assertTrue(images.gc().blobsRemoved() >= 1, "gc removes the partial layer");
  }
}
