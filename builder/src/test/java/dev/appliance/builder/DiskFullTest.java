package dev.appliance.builder;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.appliance.common.ApplianceDirs;
import dev.appliance.common.ApplianceException;
import dev.appliance.common.HostTools;
import dev.appliance.recipe.Recipe;
import dev.appliance.store.ImageStore;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A full disk while a layer is written into the store: the build fails saying so, the store shows
 * nothing of it, and once there is room the next build works. The store sits on its own small tmpfs
 * (a real ENOSPC, not a mock).
 */
@Tag("build")
class DiskFullTest {
  private Path home;
  private Path store;

  @AfterEach
  void cleanUp() {
    if (home != null) {
      Mounts.unmountAllUnder(home);
      Workspace.delete(home);
    }
  }

  @Test
  void aFullStoreFailsTheBuildLeavesNothingAndTheNextBuildWorks() throws IOException {
    assumeTrue(HostTools.isRoot(), "building needs root (mmdebstrap root mode, overlayfs, chroot)");
    home = Files.createDirectories(Path.of("/var/tmp/appliance-disk-full-" + UUID.randomUUID()));
    ApplianceDirs dirs = new ApplianceDirs(home.resolve("data"), home.resolve("state"));
    store = Files.createDirectories(dirs.store());
    Mounts.mount("-t", "tmpfs", "-o", "size=4m", "appliance-test-store", store.toString());
    Recipe base = TestRecipes.base(home);
    Recipe tiny =
        TestRecipes.child(
            home, "tiny", base, List.of("hello"), Files.writeString(home.resolve("motd"), "hi\n"));
    ImageBuilder builder = new ImageBuilder(dirs, BuildListener.silent());

    ApplianceException e =
        assertThrows(ApplianceException.class, () -> builder.build(tiny, BuildOptions.defaults()));
    assertTrue(
        e.getMessage().contains("No space left on device") && e.getMessage().contains("layer"),
        e.getMessage());
    ImageStore images = ImageStore.open(store);
    assertTrue(images.tags().isEmpty(), "no image");
    assertEmpty(store.resolve("tmp"), "no partial blob in the store");
    assertEmpty(dirs.data().resolve("cache/build-tmp"), "no build directory left behind");
    try (DirectoryStream<Path> entries =
        Files.newDirectoryStream(dirs.data().resolve("cache/layers"))) {
      for (Path entry : entries) {
        assertTrue(
            Files.isRegularFile(entry.resolve("layer.json")),
            "no half-built cache entry: " + entry);
      }
    }
    assertFalse(
        Files.readString(Path.of("/proc/self/mountinfo"))
            .lines()
            .anyMatch(l -> l.contains(home.toString()) && !l.contains(store.toString())),
        "nothing left mounted");

    Mounts.mount("-o", "remount,size=512m", store.toString());
    BuildResult result = builder.build(tiny, BuildOptions.defaults());
    assertTrue(images.find(result.tag()).isPresent(), "the next build works");
  }

  private static void assertEmpty(Path dir, String what) throws IOException {
    if (Files.isDirectory(dir)) {
      try (DirectoryStream<Path> left = Files.newDirectoryStream(dir)) {
        assertFalse(left.iterator().hasNext(), what + ": " + dir);
      }
    }
  }
}
