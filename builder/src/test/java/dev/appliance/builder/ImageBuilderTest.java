package dev.appliance.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.appliance.common.ApplianceDirs;
import dev.appliance.common.ApplianceException;
import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.ApplianceMetadata;
import dev.appliance.oci.StateDirs;
import dev.appliance.recipe.Recipe;
import dev.appliance.store.ImageStore;
import dev.appliance.store.StoredImage;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * End to end with the real parts: mmdebstrap against the host's Debian mirror, overlayfs, chroot,
 * the local store. Tiny recipes (trixie minbase + passwd, plus hello) keep it to a few minutes; the
 * layer cache is shared across tests as it is across a user's builds. Tagged "build": {@code
 * -Dsurefire.excludedGroups=build} skips it where root or the mirror is missing.
 */
@Tag("build")
class ImageBuilderTest {
  private static Path home;
  private static ApplianceDirs dirs;
  private static Recipe base;
  private static Recipe tiny;
  private static BuildResult tinyResult;

  @BeforeAll
  static void buildTiny() throws IOException {
    assumeTrue(isRoot(), "building needs root (mmdebstrap root mode, overlayfs, chroot)");
    home = Files.createDirectories(Path.of("/var/tmp/appliance-builder-test-" + UUID.randomUUID()));
    dirs = new ApplianceDirs(home.resolve("data"), home.resolve("state"));
    base = TestRecipes.base(home);
    tiny =
        TestRecipes.child(
            home,
            "tiny",
            base,
            List.of("hello"),
            Files.writeString(home.resolve("motd"), "hello\n"));
    tinyResult = builder().build(tiny, BuildOptions.defaults());
  }

  @AfterAll
  static void cleanUp() {
    if (home != null) {
      Workspace.delete(home);
    }
  }

  private static boolean isRoot() {
    try {
      return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid") == 0;
    } catch (IOException e) {
      return false;
    }
  }

  private static ImageBuilder builder() {
    return new ImageBuilder(dirs, BuildListener.silent());
  }

  private static StoredImage stored(BuildResult result) {
    return ImageStore.open(dirs.store()).get(result.tag());
  }

  @Test
  void layersUnpackedInOrderEqualTheRootFileSystem() throws Exception {
    StoredImage image = stored(tinyResult);
    assertEquals(
        List.of("base debian-trixie", "packages tiny", "files tiny", "sbom"),
        tinyResult.layers().stream().map(BuildResult.Layer::name).toList());

    // The base layer alone is the tree mmdebstrap produced (after cleaning).
    Path baseTree = cachedTree(tinyResult.layers().get(0));
    Map<String, String> baseModel = TreeModel.ofDirectory(baseTree);
    assertEquals(baseModel, TreeModel.ofLayers(image.layerFiles().subList(0, 1)));
    assertTrue(
        baseModel.get("usr/bin/passwd").contains(" 4755 0:0"),
        "setuid kept: " + baseModel.get("usr/bin/passwd"));
    assertTrue(
        baseModel.get("dev/null").startsWith("char 1:3 666"),
        "device node kept: " + baseModel.get("dev/null"));
    assertTrue(baseModel.get("usr/bin/sh").startsWith("symlink dash"));

    // All layers in order equal the overlay of every layer directory, as the builder saw it.
    List<Path> trees = new ArrayList<>();
    for (BuildResult.Layer layer : tinyResult.layers().subList(0, 3)) {
      trees.add(cachedTree(layer));
    }
    Collections.reverse(trees);
    Path view = Files.createDirectories(home.resolve("view"));
    Processes.check(
        List.of(
            "mount",
            "-t",
            "overlay",
            "overlay",
            "-o",
            "ro,lowerdir=" + String.join(":", trees.stream().map(Path::toString).toList()),
            view.toString()));
    Map<String, String> expected;
    try {
      expected = TreeModel.ofDirectory(view);
    } finally {
      Mounts.unmountAllUnder(view);
    }
    Map<String, String> actual = TreeModel.ofLayers(image.layerFiles());
    actual.keySet().removeIf(k -> k.startsWith("usr/share/appliance"));
    expected.keySet().removeIf(k -> k.startsWith("usr/share/appliance"));
    assertEquals(expected, actual);
    assertTrue(
        actual.get("etc/tiny/motd").matches("file [0-9a-f]{64} 640 0:[1-9][0-9]*"),
        "owned by group app: " + actual.get("etc/tiny/motd"));
    assertTrue(actual.containsKey("usr/bin/hello"));
    assertTrue(actual.containsKey("var/lib/tiny.stamp"));
  }

  private static Path cachedTree(BuildResult.Layer layer) throws IOException {
    try (DirectoryStream<Path> entries =
        Files.newDirectoryStream(dirs.data().resolve("cache/layers"))) {
      for (Path entry : entries) {
        Path meta = entry.resolve("layer.json");
        if (Files.isRegularFile(meta)
            && Files.readString(meta).contains(layer.digest().toString())) {
          return entry.resolve("tree");
        }
      }
    }
    throw new AssertionError("no cached tree for " + layer);
  }

  @Test
  void imageCarriesMetadataSbomAndNoSecrets() throws Exception {
    StoredImage image = stored(tinyResult);
    ApplianceMetadata metadata = image.metadata();
    assertEquals("tiny", metadata.name());
    assertEquals(80, metadata.ports().get(0).port());
    assertNull(
        metadata.params().get(0).defaultValue(), "a secret's default is not baked into the image");
    assertFalse(new String(image.config().raw()).contains("s3cret"));
    assertEquals("tiny:1.0", tinyResult.tag());
    assertEquals(
        tinyResult.packages().suites().get("trixie"),
        image.config().created(),
        "created is the suite's Release date");

    JsonNode sbom = new ObjectMapper().readTree(Inspector.sbom(image));
    assertEquals("SPDX-2.3", sbom.get("spdxVersion").asText());
    boolean hasHello = false;
    for (JsonNode p : sbom.get("packages")) {
      hasHello |=
          p.get("externalRefs")
              .get(0)
              .get("referenceLocator")
              .asText()
              .startsWith("pkg:deb/debian/hello@");
    }
    assertTrue(hasHello, "the SBOM lists hello with its purl");
  }

  @Test
  void recipesExtendingTheSameBaseShareItsLayer() throws Exception {
    Recipe other =
        TestRecipes.child(
            home,
            "other",
            base,
            List.of("sl"),
            Files.writeString(home.resolve("motd-other"), "other\n"));
    BuildResult result = builder().build(other, BuildOptions.defaults());
    assertEquals(tinyResult.layers().get(0).digest(), result.layers().get(0).digest());
    assertNotEquals(tinyResult.layers().get(1).digest(), result.layers().get(1).digest());
  }

  @Test
  void changingOnlyAFileRebuildsOnlyTheFilesLayer() throws Exception {
    Recipe changed =
        TestRecipes.child(
            home,
            "tiny",
            base,
            List.of("hello"),
            Files.writeString(home.resolve("motd2"), "changed\n"));
    BuildResult result = builder().build(changed, BuildOptions.defaults().withTag("tiny:changed"));
    List<BuildResult.Layer> before = tinyResult.layers();
    List<BuildResult.Layer> after = result.layers();
    assertTrue(
        after.get(0).cached() && after.get(1).cached(), "base and packages come from the cache");
    assertEquals(before.get(0).digest(), after.get(0).digest());
    assertEquals(before.get(1).digest(), after.get(1).digest());
    assertFalse(after.get(2).cached());
    assertNotEquals(before.get(2).digest(), after.get(2).digest());
    assertEquals(before.get(3).digest(), after.get(3).digest(), "same packages, same SBOM layer");
  }

  @Test
  void sameRecipeWithItsLockFileGivesTheSameImage() {
    Path lock = LockFile.pathFor(tiny.source());
    tinyResult.packages().write(lock);
    try {
      BuildOptions noCache = BuildOptions.defaults().withLayerCache(false).withTag("tiny:repro");
      BuildResult first = builder().build(tiny, noCache);
      BuildResult second = builder().build(tiny, noCache);
      assertEquals(first.layers(), second.layers());
      assertEquals(first.manifest().digest(), second.manifest().digest());
      assertEquals(tinyResult.packages(), LockFile.read(lock));
    } finally {
      try {
        Files.deleteIfExists(lock);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  @Test
  void stateDirsShipEmptyWithTheirOwnerAndMode() throws Exception {
    // useradd fills the app user's home /srv/app from /etc/skel in the packages layer.
    Map<String, String> plain = TreeModel.ofLayers(stored(tinyResult).layerFiles());
    assertTrue(
        plain.keySet().stream().anyMatch(k -> k.startsWith("srv/app/")),
        "precondition: /srv/app has content");
    Recipe stateful =
        TestRecipes.withStateDirs(
            TestRecipes.child(home, "stateful", base, List.of("hello"), home.resolve("motd")),
            List.of("/srv/app"));

    BuildResult result = builder().build(stateful, BuildOptions.defaults());

    Map<String, String> image = TreeModel.ofLayers(stored(result).layerFiles());
    assertEquals(List.of(), image.keySet().stream().filter(k -> k.startsWith("srv/app/")).toList());
    assertEquals(plain.get("srv/app"), image.get("srv/app"));
    assertTrue(image.containsKey("usr/bin/hello"));
    // Recorded for export --kubevirt, which keeps them on a state volume by default.
    assertEquals(
        new StateDirs(List.of("/srv/app")),
        StateDirs.fromLabels(stored(result).config().labels(), result.tag()));
    assertEquals(
        StateDirs.NONE, StateDirs.fromLabels(stored(tinyResult).config().labels(), "tiny"));
  }

  @Test
  void aChildEnablesAUnitItsParentMasked() throws Exception {
    // Like recipes/base (masks gettys and apt's timers) and a recipe wanting a login prompt back.
    Recipe masking =
        TestRecipes.withServices(
            home,
            "masking",
            base,
            List.of("systemd"),
            new Recipe.Services(
                List.of(), List.of(), List.of("getty@tty1.service", "apt-daily.timer")));
    Recipe optIn =
        TestRecipes.withServices(
            home,
            "opt-in",
            masking,
            List.of(),
            new Recipe.Services(List.of("getty@tty1.service"), List.of(), List.of()));

    BuildResult result = builder().build(optIn, BuildOptions.defaults());

    List<Path> layers = stored(result).layerFiles();
    Map<String, String> parent = TreeModel.ofLayers(layers.subList(0, 3));
    assertTrue(
        parent
            .getOrDefault("etc/systemd/system/getty@tty1.service", "")
            .startsWith("symlink /dev/null "),
        "masked by the parent: " + parent.get("etc/systemd/system/getty@tty1.service"));
    Map<String, String> image = TreeModel.ofLayers(layers);
    assertEquals(
        null, image.get("etc/systemd/system/getty@tty1.service"), "no longer masked: " + image);
    assertTrue(
        image
            .getOrDefault("etc/systemd/system/getty.target.wants/getty@tty1.service", "")
            .startsWith("symlink /usr/lib/systemd/system/getty@.service"),
        "enabled: " + image.get("etc/systemd/system/getty.target.wants/getty@tty1.service"));
    assertTrue(
        image
            .getOrDefault("etc/systemd/system/apt-daily.timer", "")
            .startsWith("symlink /dev/null "),
        "what the child does not enable stays masked");
  }

  @Test
  void buildingWithTheLockFileJustWrittenReusesEveryLayer() {
    Path lock = LockFile.pathFor(tiny.source());
    tinyResult.packages().write(lock);
    try {
      BuildResult locked = builder().build(tiny, BuildOptions.defaults().withTag("tiny:locked"));
      List<BuildResult.Layer> layers = locked.layers();
      for (int i = 0; i < layers.size() - 1; i++) {
        assertTrue(layers.get(i).cached(), layers.get(i).name() + " comes from the cache");
        assertEquals(tinyResult.layers().get(i).digest(), layers.get(i).digest());
      }
    } finally {
      try {
        Files.deleteIfExists(lock);
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    }
  }

  @Test
  void aMissingPackageIsNamedWithCloseMatches() throws Exception {
    Recipe typo = TestRecipes.child(home, "typo", base, List.of("helo"), home.resolve("motd"));
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class, () -> builder().build(typo, BuildOptions.defaults()));
    assertTrue(e.getMessage().contains("'helo' does not exist"), e.getMessage());
    assertTrue(e.getMessage().contains("hello"), e.getMessage());
    assertTrue(
        ImageStore.open(dirs.store()).find("typo:1.0").isEmpty(), "no image from a failed build");
  }

  @Test
  void aFailingRunStepShowsItsCommandExitCodeAndOutput() throws Exception {
    Recipe ok = TestRecipes.child(home, "failing", base, List.of(), home.resolve("motd"));
    Recipe failing =
        new Recipe(
            ok.source(),
            ok.name(),
            ok.version(),
            ok.description(),
            ok.base(),
            ok.packages(),
            ok.files(),
            List.of(new Recipe.RunStep("echo boom-output; exit 3")),
            ok.services(),
            ok.users(),
            ok.groups(),
            ok.stateDirs(),
            ok.ports(),
            ok.networks(),
            ok.health(),
            ok.resources(),
            ok.kernels(),
            ok.params(),
            ok.data(),
            ok.parent());
    ApplianceException e =
        assertThrows(
            ApplianceException.class, () -> builder().build(failing, BuildOptions.defaults()));
    assertTrue(e.getMessage().contains("exit code 3"), e.getMessage());
    assertTrue(e.getMessage().contains("echo boom-output; exit 3"), e.getMessage());
    assertTrue(
        e.getMessage().contains("boom-output\n") || e.getMessage().endsWith("boom-output"),
        e.getMessage());
    try (DirectoryStream<Path> left =
        Files.newDirectoryStream(dirs.data().resolve("cache/build-tmp"))) {
      assertFalse(left.iterator().hasNext(), "no build directory left behind");
    }
    assertTrue(
        Files.readString(Path.of("/proc/self/mountinfo"))
            .lines()
            .noneMatch(l -> l.contains(home.toString())),
        "nothing left mounted");
  }

  @Test
  void diffListsThePathsThatDiffer() throws Exception {
    Recipe changed =
        TestRecipes.child(
            home,
            "tiny",
            base,
            List.of("hello"),
            Files.writeString(home.resolve("motd3"), "diff\n"));
    BuildResult result = builder().build(changed, BuildOptions.defaults().withTag("tiny:diff"));
    List<ImageDiff.Change> changes = ImageDiff.diff(stored(tinyResult), stored(result));
    assertEquals(
        List.of(new ImageDiff.Change("/etc/tiny/motd", "changed", List.of("content"))), changes);
    assertEquals(List.of(), ImageDiff.diff(stored(tinyResult), stored(tinyResult)));
  }

  @Test
  void anInterruptedBuildLeavesNothingBehindAndTheNextBuildWorks() throws Exception {
    String javaCommand = ProcessHandle.current().info().command().orElse("java");
    // env --default-signal: a suite started in the background of a script inherits SIGINT
    // ignored, and a JVM leaves an ignored SIGINT ignored; Ctrl-C in a terminal is never so.
    Process child =
        new ProcessBuilder(
                "env",
                "--default-signal=INT",
                javaCommand,
                "-cp",
                System.getProperty("java.class.path"),
                InterruptedBuildMain.class.getName(),
                home.toString())
            .redirectErrorStream(true)
            .redirectOutput(home.resolve("interrupted.log").toFile())
            .start();
    // Wait until this build's mmdebstrap runs (its target is under the test's home), then press
    // "Ctrl-C": early in the build, so the interrupt cannot race the build's last step. (A mount
    // under the home was the sign before; later steps' mounts also match it, which let the
    // interrupt land after the tag was written when mmdebstrap's mounts were missed.)
    long deadline = System.currentTimeMillis() + 120_000;
    while (System.currentTimeMillis() < deadline
        && child.isAlive()
        && ProcessHandle.allProcesses()
            .map(p -> p.info().commandLine().orElse(""))
            .noneMatch(c -> c.contains("mmdebstrap") && c.contains(home.toString()))) {
      Thread.sleep(100);
    }
    assertTrue(
        child.isAlive(),
        "the build was still running when interrupted: "
            + Files.readString(home.resolve("interrupted.log")));
    Processes.check(List.of("kill", "-INT", Long.toString(child.pid())));
    assertTrue(
        child.waitFor(120, java.util.concurrent.TimeUnit.SECONDS), "the build stops on SIGINT");

    assertTrue(
        Files.readString(Path.of("/proc/self/mountinfo"))
            .lines()
            .noneMatch(l -> l.contains(home.toString())),
        "nothing left mounted");
    try (DirectoryStream<Path> left =
        Files.newDirectoryStream(dirs.data().resolve("cache/build-tmp"))) {
      assertFalse(left.iterator().hasNext(), "no build directory left behind");
    }
    try (DirectoryStream<Path> entries =
        Files.newDirectoryStream(dirs.data().resolve("cache/layers"))) {
      for (Path entry : entries) {
        assertTrue(
            Files.isRegularFile(entry.resolve("layer.json")),
            "no half-built cache entry: " + entry);
      }
    }
    try (DirectoryStream<Path> temps = Files.newDirectoryStream(dirs.store().resolve("tmp"))) {
      assertFalse(temps.iterator().hasNext(), "no partial blob in the store");
    }
    assertTrue(
        ImageStore.open(dirs.store()).find("interrupted:1.0").isEmpty(),
        "the interrupted build was tagged; its output:\n"
            + Files.readString(home.resolve("interrupted.log")));
    assertTrue(
        ProcessHandle.allProcesses()
            .noneMatch(p -> p.info().commandLine().orElse("").contains(home.toString())),
        "no tool of the build still running");

    Recipe again =
        TestRecipes.child(
            home, "interrupted", base, List.of("hello"), home.resolve("motd-interrupted"));
    assertEquals("interrupted:1.0", builder().build(again, BuildOptions.defaults()).tag());
  }
}
