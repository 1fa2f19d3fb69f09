package dev.appliance.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.appliance.common.InvalidInputException;
import dev.appliance.recipe.Recipe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A layer stacked (overlayfs, for real: root) on a lower layer that has a link where a step mounts,
 * as a layer cached by an older version could: refused before the mount, naming the recipe and the
 * layer, the host directory untouched.
 */
class RootfsStepsTest {
  private Path dir;

  @BeforeAll
  static void needsRoot() {
    assumeTrue("root".equals(System.getProperty("user.name")), "overlayfs and mounts need root");
  }

  @AfterEach
  void cleanUp() {
    if (dir != null) {
      Workspace.delete(dir);
    }
  }

  @Test
  void aLowerLayerWithALinkWhereAStepMountsIsRefusedNamingTheLayer() throws IOException {
    // overlayfs wants its directories on a disk file system, not on a tmpfs /tmp.
    dir = Files.createDirectories(Path.of("/var/tmp/appliance-rootfs-steps-" + UUID.randomUUID()));
    Path host = Files.createDirectories(dir.resolve("host"));
    Files.writeString(host.resolve("precious"), "keep");
    Path lower = Files.createDirectories(dir.resolve("lower"));
    for (String d :
        List.of("proc", "sys", "dev", "run", "etc", "usr/sbin", "var/lib/apt", "var/cache/apt")) {
      Files.createDirectories(lower.resolve(d));
    }
    Files.createSymbolicLink(lower.resolve("tmp"), host);
    Recipe recipe = TestRecipes.base(dir);
    LayerPlan.Step step =
        new LayerPlan.Step(
            LayerPlan.Kind.FILES, recipe, "files testbase", "key", List.of(), List.of(), "test");
    BuildEnvironment env =
        new BuildEnvironment(
            "http://mirror.invalid/debian",
            List.of(),
            0,
            dir.resolve("debs"),
            dir.resolve("lists"),
            line -> {},
            false);
    RootfsSteps steps =
        new RootfsSteps(
            env,
            new DebianMirror("http://mirror.invalid/debian"),
            null,
            List.of("trixie"),
            recipe,
            CachedDebRepository::none,
            new StepStop());

    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () ->
                steps.produce(
                    step,
                    List.of(lower),
                    Files.createDirectories(dir.resolve("work")),
                    dir.resolve("tree")));

    assertTrue(
        e.getMessage()
            .startsWith(
                recipe.source()
                    + ": layer 'files testbase': /tmp (a symbolic link to "
                    + host
                    + ") is where the build mounts /tmp"),
        e.getMessage());
    try (Stream<Path> files = Files.list(host)) {
      assertEquals(
          List.of(host.resolve("precious")), files.toList(), "the host directory is untouched");
    }
    assertTrue(
        Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
            .noneMatch(l -> l.contains(dir.toString())),
        "nothing left mounted");
  }
}
