package dev.appliance.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.appliance.common.ApplianceDirs;
import dev.appliance.common.HostTools;
import dev.appliance.store.ImageStore;
import dev.appliance.store.StoredImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 13's hole: the same recipe gave two base layers, differing in the owner of apt's {@code
 * partial} directories, depending on where the build's home was. Two real builds (mmdebstrap
 * against the host's mirror, no layer cache) of a tiny recipe from opposite starting states must
 * give one digest:
 *
 * <ul>
 *   <li>cold: an empty home inside a directory only root may enter (as root's default {@code
 *       ~/.local/share/appliance} is), no lock file, started under umask 077;
 *   <li>warm: started under umask 022, a home anyone may traverse (as an {@code APPLIANCE_HOME}
 *       under /var/tmp) holding the cold build's .deb cache and apt lists made stale (a month old,
 *       a half-downloaded file and a lock left in each {@code partial}), and the lock file the cold
 *       build resolved, so both see the same mirror state.
 * </ul>
 *
 * Each runs in its own process, re-run as 'appliance build' re-runs itself. Tagged "build" like
 * {@link ImageBuilderTest}: it needs root and the mirror.
 */
@Tag("build")
class ReproducibleFromAnyStateTest {
  private Path top;

  @AfterEach
  void cleanUp() {
    if (top != null) {
      Workspace.delete(top);
    }
  }

  @Test
  void coldAndWarmHomesGiveTheSameImage() throws IOException {
    assumeTrue(HostTools.isRoot(), "building needs root (mmdebstrap root mode, overlayfs, chroot)");
    top = Files.createDirectories(Path.of("/var/tmp/appliance-repro-test-" + UUID.randomUUID()));
    Path recipes = Files.createDirectories(top.resolve("recipes"));
    Path privateDir =
        Files.createDirectory(
            top.resolve("private"),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    Path coldHome = privateDir.resolve("cold");
    Path warmHome = top.resolve("warm");

    String first = buildInOwnProcess(recipes, coldHome, "077", "--write-lock");
    warmUp(dirs(coldHome), dirs(warmHome));
    // 022 here: under 027 the builder's own directories would shut _apt out of this home too.
    String second = buildInOwnProcess(recipes, warmHome, "022");

    assertEquals(
        first,
        second,
        () ->
            "appliance diff cold warm:\n"
                + ImageDiff.diff(image(coldHome), image(warmHome)).stream()
                    .map(
                        c ->
                            c.change() + " " + c.path() + "  (" + String.join(", ", c.what()) + ")")
                    .collect(Collectors.joining("\n")));
  }

  /**
   * {@link TinyBuildMain} (its manifest digest), started as a user with {@code umask} would start
   * 'appliance build'.
   */
  private static String buildInOwnProcess(
      Path recipes, Path home, String umask, String... options) {
    // The command is an argument list: sh sets the umask and execs it unchanged.
    List<String> command =
        new ArrayList<>(
            List.of(
                "sh",
                "-c",
                "umask " + umask + " && exec \"$@\"",
                "sh",
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                TinyBuildMain.class.getName(),
                recipes.toString(),
                home.toString()));
    command.addAll(List.of(options));
    Processes.Result result = Processes.run(command, Map.of(), null, line -> {}, true);
    assertEquals(0, result.exitCode(), () -> "the build in " + home + " failed:\n" + result.tail());
    return result.stdoutText().trim();
  }

  private static StoredImage image(Path home) {
    ImageStore store = ImageStore.open(dirs(home).store());
    return store.get(store.tags().get(0).name());
  }

  private static ApplianceDirs dirs(Path home) {
    return new ApplianceDirs(home.resolve("data"), home.resolve("state"));
  }

  /**
   * The cold home's .deb cache and apt lists, as a home used a month ago and interrupted would hold
   * them.
   */
  private static void warmUp(ApplianceDirs from, ApplianceDirs to) throws IOException {
    Path cache = Files.createDirectories(to.data().resolve("cache"));
    Processes.check(
        List.of(
            "cp",
            "-a",
            from.debCache().toString(),
            from.data().resolve("cache/apt-lists").toString(),
            cache.toString()));
    List<Path> partials;
    try (Stream<Path> paths = Files.walk(cache)) {
      partials =
          paths
              .filter(p -> p.getFileName().toString().equals("partial") && Files.isDirectory(p))
              .toList();
    }
    for (Path partial : partials) {
      Files.writeString(partial.resolve("interrupted.deb"), "half");
      Files.writeString(partial.resolveSibling("lock"), "");
    }
    assertEquals(
        2,
        partials.size(),
        "the cold build left apt's partial directories in its caches: " + partials);
    Processes.check(
        List.of(
            "find",
            cache.toString(),
            "-exec",
            "touch",
            "--no-dereference",
            "-d",
            "30 days ago",
            "{}",
            "+"));
  }
}
