package dev.appliance.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.appliance.common.ApplianceDirs;
import dev.appliance.common.HostTools;
import dev.appliance.common.InvalidInputException;
import dev.appliance.recipe.Recipe;
import dev.appliance.store.ImageStore;
import dev.appliance.store.StoredImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A lock file pinning versions the mirror does not have, with the real parts: mmdebstrap and apt
 * against the host's Debian mirror. "The mirror dropped this version" is simulated by repacking the
 * real passwd (installed by the base's mmdebstrap run) and hello (installed by the child's apt-get
 * in the chroot) .debs with a version string the mirror never had, putting them into the .deb cache
 * and pinning them with their SHA-256. The image built that way is compared entry by entry with the
 * image built from the same lock pinning the mirror's versions.
 */
@Tag("build")
class LockedVersionsFromCacheTest {
  private static final String SUFFIX = "+cached1";

  private static Path home;
  private static ApplianceDirs dirs;
  private static Recipe tiny;
  private static Map<String, String> mirrorVersion;
  private static Map<String, String> fakeSha256;
  private static Map<String, Instant> suites;
  private static BuildResult fromMirror;
  private static BuildResult fromCache;
  private static final List<String> progress = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void buildBoth() throws IOException {
    assumeTrue(HostTools.isRoot(), "building needs root (mmdebstrap root mode, overlayfs, chroot)");
    home =
        Files.createDirectories(Path.of("/var/tmp/appliance-debcache-test-" + UUID.randomUUID()));
    dirs = new ApplianceDirs(home.resolve("data"), home.resolve("state"));
    tiny =
        TestRecipes.child(
            home,
            "tiny",
            TestRecipes.base(home),
            List.of("hello"),
            Files.writeString(home.resolve("motd"), "hello\n"));

    DebianMirror mirror = new DebianMirror(AptSources.host().debianMirror());
    Map<String, Set<String>> index = mirror.packageVersions("trixie", List.of("main"));
    mirrorVersion = new TreeMap<>();
    for (String name : List.of("hello", "passwd")) {
      assertEquals(
          1,
          index.get(name).size(),
          "one version of " + name + " on the mirror: " + index.get(name));
      mirrorVersion.put(name, index.get(name).iterator().next());
    }
    // Both builds use the same Release date, so only the pins differ between them.
    suites = Map.of("trixie", mirror.releaseDate("trixie"));

    writeLock(name -> mirrorVersion.get(name), name -> "");
    fromMirror = builder().build(tiny, BuildOptions.defaults().withTag("tiny:mirror"));

    fakeSha256 = new TreeMap<>();
    for (String name : mirrorVersion.keySet()) {
      fakeSha256.put(
          name, repackIntoCache(name, mirrorVersion.get(name), mirrorVersion.get(name) + SUFFIX));
    }
    writeLock(name -> mirrorVersion.get(name) + SUFFIX, fakeSha256::get);
    fromCache = builder().build(tiny, BuildOptions.defaults().withTag("tiny:cached"));
  }

  @AfterAll
  static void cleanUp() {
    if (home != null) {
      Workspace.delete(home);
    }
  }

  private static ImageBuilder builder() {
    return new ImageBuilder(
        dirs,
        new BuildListener() {
          @Override
          public void stageFinished(String stage, Duration duration, String detail) {
            progress.add(stage + "  " + detail);
          }
        });
  }

  private static void writeLock(
      java.util.function.UnaryOperator<String> version,
      java.util.function.UnaryOperator<String> sha256) {
    List<LockFile.LockedPackage> pinned = new ArrayList<>();
    for (String name : List.of("hello", "passwd")) {
      pinned.add(
          new LockFile.LockedPackage(name, version.apply(name), "amd64", sha256.apply(name)));
    }
    new LockFile(suites, pinned).write(LockFile.pathFor(tiny.source()));
  }

  /**
   * The mirror's .deb from the cache, with another Version in its control file, stored under apt's
   * name.
   */
  private static String repackIntoCache(String name, String version, String newVersion)
      throws IOException {
    Path cache = dirs.debCache();
    Path original = cache.resolve(DebCache.fileName(name, version, "amd64"));
    assertTrue(Files.isRegularFile(original), "the first build cached " + original);
    Path unpacked = home.resolve("repack-" + name);
    Processes.check(List.of("dpkg-deb", "-R", original.toString(), unpacked.toString()));
    Path control = unpacked.resolve("DEBIAN/control");
    Files.writeString(
        control,
        Files.readString(control)
            .replace("Version: " + version + "\n", "Version: " + newVersion + "\n"));
    Path repacked = cache.resolve(DebCache.fileName(name, newVersion, "amd64"));
    Processes.check(List.of("dpkg-deb", "-b", unpacked.toString(), repacked.toString()));
    return DebCache.sha256(repacked);
  }

  @Test
  void installsExactlyTheCachedVersionsAndSaysSo() throws Exception {
    for (String name : List.of("hello", "passwd")) {
      String fake = mirrorVersion.get(name) + SUFFIX;
      assertTrue(
          fromCache
              .packages()
              .packages()
              .contains(new LockFile.LockedPackage(name, fake, "amd64", fakeSha256.get(name))),
          name + " " + fake + " installed (dpkg status): " + fromCache.packages().packages());
    }
    JsonNode sbom = new ObjectMapper().readTree(Inspector.sbom(stored("tiny:cached")));
    List<String> purls = new ArrayList<>();
    sbom.get("packages")
        .forEach(p -> purls.add(p.get("externalRefs").get(0).get("referenceLocator").asText()));
    String helloPurl =
        "pkg:deb/debian/hello@" + (mirrorVersion.get("hello") + SUFFIX).replace("+", "%2B") + "?";
    assertTrue(
        purls.stream().anyMatch(p -> p.startsWith(helloPurl)),
        "the SBOM lists "
            + helloPurl
            + ": "
            + purls.stream().filter(p -> p.contains("/hello@")).toList());

    assertTrue(
        Files.readString(Path.of("/proc/self/mountinfo"))
            .lines()
            .noneMatch(l -> l.contains("appliance-cached-debs")),
        "the repository is unmounted after the build");

    String report = String.join("\n", progress);
    assertTrue(
        report.contains(
            "installed from the .deb cache: hello "
                + mirrorVersion.get("hello")
                + SUFFIX
                + ", passwd "
                + mirrorVersion.get("passwd")
                + SUFFIX),
        report);
  }

  /**
   * Every layer equals the one whose packages came from the mirror, tar entry by tar entry (names,
   * modes, owners, mtimes, PAX headers, contents), except for the two version strings in dpkg's
   * status file: no source entry, no apt list, no mount point.
   */
  @Test
  void layersEqualTheMirrorBuildButForTheVersionStrings() throws Exception {
    List<Path> mirrorLayers = stored("tiny:mirror").layerFiles();
    List<Path> cacheLayers = stored("tiny:cached").layerFiles();
    assertEquals(4, cacheLayers.size());
    for (int i = 0; i < 3; i++) {
      List<String> expected = entries(mirrorLayers.get(i), false);
      List<String> actual = entries(cacheLayers.get(i), true);
      assertEquals(expected, actual, "layer " + fromCache.layers().get(i).name());
      assertTrue(
          actual.stream()
              .noneMatch(
                  e -> e.contains("appliance-cached-debs") || e.contains("var/lib/apt/lists/_")),
          "nothing of the cached .deb repository in layer " + i);
    }
    assertEquals(
        fromMirror.layers().get(2).digest(),
        fromCache.layers().get(2).digest(),
        "the files layer is the same blob");
  }

  @Test
  void aPinnedVersionInNeitherMirrorNorCacheFailsNamingEveryPackage() throws Exception {
    // hello's cached .deb is gone, passwd's is corrupted (the sha256/ link shares its inode).
    Path cache = dirs.debCache();
    String helloFile = DebCache.fileName("hello", mirrorVersion.get("hello") + SUFFIX, "amd64");
    Files.delete(cache.resolve(helloFile));
    Files.deleteIfExists(cache.resolve("sha256").resolve(fakeSha256.get("hello") + ".deb"));
    Files.deleteIfExists(cache.resolve("sha256/.by-name").resolve(helloFile));
    Path passwd =
        cache.resolve(DebCache.fileName("passwd", mirrorVersion.get("passwd") + SUFFIX, "amd64"));
    byte[] bytes = Files.readAllBytes(passwd);
    bytes[bytes.length - 1] ^= 1;
    Files.write(passwd, bytes);

    long start = System.nanoTime();
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () ->
                builder()
                    .build(
                        tiny, BuildOptions.defaults().withLayerCache(false).withTag("tiny:gone")));
    assertTrue(
        e.getMessage()
            .contains(
                "hello (locked "
                    + mirrorVersion.get("hello")
                    + SUFFIX
                    + ", mirror has "
                    + mirrorVersion.get("hello")
                    + ")"),
        e.getMessage());
    assertTrue(
        e.getMessage()
            .contains(
                "passwd (locked "
                    + mirrorVersion.get("passwd")
                    + SUFFIX
                    + ", mirror has "
                    + mirrorVersion.get("passwd")
                    + ")"),
        e.getMessage());
    assertTrue(e.getMessage().contains(LockFile.pathFor(tiny.source()).toString()), e.getMessage());
    assertTrue(
        Duration.ofNanos(System.nanoTime() - start).toSeconds() < 60,
        "refused before mmdebstrap ran");
    assertNothingLeft(dirs, "tiny:gone");
  }

  /**
   * From an empty .deb cache the lock check runs beside the base step (issue 18: it cost a cold
   * build 1.3 s before mmdebstrap started); its error stops the step and is what the build reports.
   */
  @Test
  void fromAnEmptyCacheTheCheckRunsBesideTheBaseStepAndItsErrorIsReported() throws IOException {
    ApplianceDirs empty =
        new ApplianceDirs(home.resolve("empty/data"), home.resolve("empty/state"));

    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () ->
                new ImageBuilder(empty, new BuildListener() {})
                    .build(tiny, BuildOptions.defaults().withTag("tiny:empty-cache")));

    for (String name : List.of("hello", "passwd")) {
      assertTrue(
          e.getMessage()
              .contains(
                  name
                      + " (locked "
                      + mirrorVersion.get(name)
                      + SUFFIX
                      + ", mirror has "
                      + mirrorVersion.get(name)
                      + ")"),
          e.getMessage());
    }
    // apt ignores pins of versions it cannot find: left alone, mmdebstrap would succeed and the
    // error come only at the end of the step. It was stopped instead, and its failure is kept.
    assertEquals(1, e.getSuppressed().length, "the stopped base step's failure is kept");
    assertTrue(
        e.getSuppressed()[0].getMessage().contains("mmdebstrap"),
        "mmdebstrap ran beside the check and was stopped: " + e.getSuppressed()[0].getMessage());
    assertNothingLeft(empty, "tiny:empty-cache");
  }

  /** A failed build left no image, no build directory and nothing mounted. */
  private static void assertNothingLeft(ApplianceDirs dirs, String tag) throws IOException {
    assertTrue(ImageStore.open(dirs.store()).find(tag).isEmpty(), "no image from a failed build");
    try (DirectoryStream<Path> left =
        Files.newDirectoryStream(dirs.data().resolve("cache/build-tmp"))) {
      assertFalse(left.iterator().hasNext(), "no build directory left behind");
    }
    assertTrue(
        Files.readString(Path.of("/proc/self/mountinfo"))
            .lines()
            .noneMatch(l -> l.contains(dirs.data().toString())),
        "nothing left mounted");
  }

  private static StoredImage stored(String tag) {
    return ImageStore.open(dirs.store()).get(tag);
  }

  /**
   * Each tar entry of a layer as one line of all its header fields and its content's digest; with
   * {@code restoreVersions}, dpkg's status file with the repacked versions put back to the
   * mirror's.
   */
  private static List<String> entries(Path layer, boolean restoreVersions) throws IOException {
    List<String> lines = new ArrayList<>();
    try (InputStream in = Files.newInputStream(layer);
        TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(in))) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        byte[] content = tar.readAllBytes();
        if (restoreVersions && e.getName().equals("var/lib/dpkg/status")) {
          content =
              restoreVersions(new String(content, StandardCharsets.UTF_8))
                  .getBytes(StandardCharsets.UTF_8);
        }
        lines.add(
            e.getName()
                + " type="
                + (char) e.getLinkFlag()
                + " mode="
                + Integer.toOctalString(e.getMode())
                + " owner="
                + e.getLongUserId()
                + ":"
                + e.getLongGroupId()
                + " "
                + e.getUserName()
                + ":"
                + e.getGroupName()
                + " mtime="
                + e.getModTime().getTime()
                + " link="
                + e.getLinkName()
                + " dev="
                + e.getDevMajor()
                + ":"
                + e.getDevMinor()
                + " pax="
                + new TreeMap<>(e.getExtraPaxHeaders())
                + " size="
                + content.length
                + " sha256="
                + HexFormat.of().formatHex(LayerWriter.sha256().digest(content)));
      }
    }
    return lines;
  }

  private static String restoreVersions(String status) {
    StringBuilder out = new StringBuilder();
    for (String stanza : status.split("\n\n", -1)) {
      Matcher name = Pattern.compile("(?m)^Package: (\\S+)$").matcher(stanza);
      if (name.find() && mirrorVersion.containsKey(name.group(1))) {
        String real = mirrorVersion.get(name.group(1));
        stanza = stanza.replace("\nVersion: " + real + SUFFIX + "\n", "\nVersion: " + real + "\n");
      }
      out.append(stanza).append("\n\n");
    }
    return out.substring(0, out.length() - 2);
  }
}
