package dev.appliance.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.appliance.common.HostTools;
import dev.appliance.e2e.support.ApplianceCli;
import dev.appliance.e2e.support.CliResult;
import dev.appliance.e2e.support.EndToEnd;
import dev.appliance.oci.Descriptor;
import dev.appliance.store.ImageStore;
import dev.appliance.store.StoredImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What a recipe's run steps may do to the build host: nothing. Real root builds with the CLI
 * (mmdebstrap, overlayfs, chroot) of small recipes extending one trixie minbase recipe, whose base
 * layer is built once and shared through the layer cache. A directory under /var/tmp stands for the
 * host's files: run steps aim links at it, and it must stay exactly as it was; /proc/self/mountinfo
 * of this JVM (the host's mount namespace) must never show a mount of a build.
 */
@EndToEnd
@Tag("slow")
class BuildConfinementTest {
  private static final Duration BUILD = Duration.ofMinutes(10);
  private static final String SECRET = "host-secret-" + UUID.randomUUID();

  private static ApplianceCli cli;
  private static Path recipes;
  private static Path host;
  private static Map<String, String> hostFiles;

  @BeforeAll
  static void baseAndHostFiles() throws IOException {
    assumeTrue(HostTools.isRoot(), "root builds: run the suite as root, as .ci/run does");
    host = Files.createDirectories(Path.of("/var/tmp/appliance-confinement-" + UUID.randomUUID()));
    write(host.resolve("secret"), SECRET + "\n");
    write(
        host.resolve("status"),
        "Package: " + SECRET + "\nStatus: install ok installed\nVersion: 1\nArchitecture: all\n");
    write(host.resolve("dpkg.log"), "host log\n");
    write(host.resolve("apt/history.log"), "host log\n");
    hostFiles = snapshot(host);

    cli = ApplianceCli.forTest("build-confinement");
    recipes = Files.createDirectories(cli.home().getParent().resolve("recipes"));
    write(
        recipes.resolve("base.yaml"),
        """
                name: confinement-base
                version: "1"
                base:
                  distribution: debian
                  suite: trixie
                  variant: minbase
                """);
    cli.run(BUILD, "build", recipes.resolve("base.yaml").toString()).assertSuccess();
  }

  @AfterAll
  static void removeHostFiles() throws IOException {
    if (host != null) {
      new ProcessBuilder("rm", "-rf", "--one-file-system", host.toString()).start().onExit().join();
    }
  }

  @Test
  void aRunStepThatTurnsAMountPointIntoALinkIsRefusedNamingTheStep() throws IOException {
    for (String point :
        List.of(
            "proc", "sys", "dev", "tmp", "run", "var/lib/apt/lists", "var/cache/apt/archives")) {
      String name = "mount-" + point.replace('/', '-');
      String target = point.equals("proc") ? "/" : host.toString();
      Path recipe =
          child(
              name,
              "true",
              "umount -R /"
                  + point
                  + " && rm -rf /"
                  + point
                  + " && ln -s "
                  + target
                  + " /"
                  + point);
      List<String> mountsBefore = hostMountPoints();

      CliResult result = cli.run(BUILD, "build", recipe.toString()).assertExit(2);

      assertTrue(
          result
              .stderr()
              .contains(
                  name
                      + ".yaml: run step 2 left /"
                      + point
                      + " (a symbolic link to "
                      + target
                      + ") where the build mounts /"
                      + point),
          result.stderr());
      assertEquals(
          mountsBefore, hostMountPoints(), "mounts of the host after the build of " + name);
      assertEquals(hostFiles, snapshot(host), "host files after the build of " + name);
    }
  }

  @Test
  void linksToHostFilesAreStoredAsLinksAndNothingIsDeletedThroughThem() throws IOException {
    Path recipe =
        child(
            "links",
            "ln -s " + host.resolve("secret") + " /root/leak",
            "ln -s /etc/shadow /etc/leak-shadow",
            "ln -s / /srv/host-root",
            // The clean-up before a layer is written deletes /var/log/dpkg.log and /var/log/apt/*.
            "rm -rf /var/log && ln -s " + host + " /var/log",
            "ls -A /dev > /etc/build-devices");

    String digest = cli.run(BUILD, "build", recipe.toString()).assertSuccess().digestOf("links:1");

    StoredImage image = ImageStore.open(cli.dirs().store()).get("links:1");
    assertEquals(digest, image.descriptor().digest().toString());
    Map<String, Layer> layers = layers(image);
    Layer files = layers.get("files links");
    assertEquals(host.resolve("secret").toString(), files.link("root/leak"));
    assertEquals("/etc/shadow", files.link("etc/leak-shadow"));
    assertEquals("/", files.link("srv/host-root"));
    assertEquals(host.toString(), files.link("var/log"));
    assertEquals(
        List.of(
            "fd", "full", "null", "ptmx", "pts", "random", "shm", "stderr", "stdin", "stdout",
            "tty", "urandom", "zero"),
        files.text("etc/build-devices").lines().sorted().toList(),
        "the build's /dev: no host disk, kvm or terminal");
    for (Map.Entry<String, Layer> layer : layers.entrySet()) {
      assertFalse(
          layer.getValue().contains(SECRET), "the host's secret is in layer " + layer.getKey());
    }
    assertEquals(hostFiles, snapshot(host), "host files after the build");
  }

  @Test
  void aDpkgStatusThatIsALinkToAHostFileIsNotReadIntoTheSbom() throws IOException {
    Path recipe =
        child(
            "status",
            "mv /var/lib/dpkg/status /var/lib/dpkg/status.real && ln -s "
                + host.resolve("status")
                + " /var/lib/dpkg/status");

    CliResult result = cli.run(BUILD, "build", recipe.toString()).assertExit(2);

    assertTrue(
        result
            .stderr()
            .contains("/var/lib/dpkg/status (a symbolic link to " + host.resolve("status") + ")"),
        result.stderr());
    assertFalse(
        result.stdout().contains(SECRET) || result.stderr().contains(SECRET), result.stderr());
    assertFalse(cli.run("images").assertSuccess().stdout().contains("status"), "no image tagged");
  }

  @Test
  void aRootBuildKilledWithSigkillLeavesNoMountOnTheHost() throws Exception {
    // Before builds ran in a namespace of their own, the 9+ mounts of a killed run step stayed in
    // the host's.
    Path recipe = child("killed", "sleep 600");
    Path home = cli.home().toRealPath();
    List<String> mountsBefore = hostMountPoints();
    List<ProcessHandle> tree;
    try (ApplianceCli.Background build = cli.start("build", recipe.toString())) {
      // The build process is the JVM that runs in the private mount namespace: the started process
      // itself when the launcher execs it under unshare, its child when a bare java -jar re-runs
      // itself. Wait until its namespace holds the run step's mounts (overlay, proc, sys, dev,
      // tmp, run, ...). Never one of its children: those come and go (mount, chroot).
      ProcessHandle builder = null;
      long deadline = System.nanoTime() + BUILD.toNanos();
      while (builder == null && build.isAlive() && System.nanoTime() < deadline) {
        builder = buildJvm(build.pid(), home).orElse(null);
        Thread.sleep(200);
      }
      assertTrue(builder != null, "the build never reached its run step: " + build.stderrSoFar());
      assertEquals(
          mountsBefore, hostMountPoints(), "the build's mounts are not in the host's namespace");

      tree = builder.descendants().toList();
      assertTrue(builder.destroyForcibly(), "kill -9 of the build process");
      builder.onExit().join();
      assertEquals(
          mountsBefore, hostMountPoints(), "mounts of the host after kill -9 of the build");
    }
    // What the killed build had started (the run step's sleep) goes too; then its namespace is
    // gone.
    tree.forEach(ProcessHandle::destroyForcibly);
    tree.forEach(p -> p.onExit().join());
    assertEquals(
        mountsBefore, hostMountPoints(), "mounts of the host after the build's tools are gone");

    // The next build removes the killed build's scratch directory and builds.
    cli.run(BUILD, "build", child("after-kill", "true").toString()).assertSuccess();
    try (Stream<Path> scratch = Files.list(cli.dirs().data().resolve("cache/build-tmp"))) {
      assertEquals(List.of(), scratch.toList(), "scratch directories left");
    }
  }

  /**
   * The JVM at or under {@code started} whose mount namespace holds at least nine mounts under
   * {@code home}: the build in its run step.
   */
  private static Optional<ProcessHandle> buildJvm(long started, Path home) {
    return ProcessHandle.of(started).stream()
        .flatMap(p -> Stream.concat(Stream.of(p), p.descendants()))
        .filter(p -> p.info().command().map(c -> c.endsWith("/java")).orElse(false))
        .filter(
            p ->
                mountPointsOf(p.pid()).stream().filter(m -> m.startsWith(home.toString())).count()
                    >= 9)
        .findFirst();
  }

  /** A recipe extending the base whose run steps are {@code run}. */
  private static Path child(String name, String... run) throws IOException {
    StringBuilder yaml =
        new StringBuilder("extends: base.yaml\nname: " + name + "\nversion: \"1\"\nrun:\n");
    for (String step : run) {
      yaml.append("  - '").append(step.replace("'", "''")).append("'\n");
    }
    return write(recipes.resolve(name + ".yaml"), yaml.toString());
  }

  private static Path write(Path file, String content) throws IOException {
    Files.createDirectories(file.getParent());
    return Files.writeString(file, content);
  }

  /** Every file under {@code dir} with its content. */
  private static Map<String, String> snapshot(Path dir) throws IOException {
    Map<String, String> files = new TreeMap<>();
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.toList()) {
        files.put(
            dir.relativize(p).toString(),
            Files.isRegularFile(p) ? Files.readString(p) : "(directory)");
      }
    }
    return files;
  }

  /**
   * The host's mount points this test is about: below its APPLIANCE_HOME or the host directory, and
   * "/" (where a link to / would lead). Other builds may run on the machine at the same time: their
   * mounts are not compared.
   */
  private static List<String> hostMountPoints() throws IOException {
    String home = cli.home().toRealPath().toString();
    return mountPointsOf(ProcessHandle.current().pid()).stream()
        .filter(
            p ->
                p.equals("/")
                    || p.startsWith(home + "/")
                    || p.startsWith(host + "/")
                    || p.equals(host.toString()))
        .toList();
  }

  private static List<String> mountPointsOf(long pid) {
    try {
      return Files.readAllLines(Path.of("/proc/" + pid + "/mountinfo")).stream()
          .map(l -> l.split(" ")[4])
          .toList();
    } catch (IOException e) {
      return List.of(); // the process is gone
    }
  }

  /** The layers of an image by their name annotation. */
  private static Map<String, Layer> layers(StoredImage image) throws IOException {
    Map<String, Layer> layers = new LinkedHashMap<>();
    List<Descriptor> descriptors = image.manifest().layers();
    for (int i = 0; i < descriptors.size(); i++) {
      layers.put(
          descriptors.get(i).annotations().get("dev.appliance.layer"),
          Layer.read(image.layerFiles().get(i)));
    }
    return layers;
  }

  /** A layer's entries and the contents of its regular files. */
  private record Layer(Map<String, TarArchiveEntry> entries, Map<String, byte[]> contents) {
    static Layer read(Path file) throws IOException {
      Map<String, TarArchiveEntry> entries = new LinkedHashMap<>();
      Map<String, byte[]> contents = new LinkedHashMap<>();
      try (InputStream in = Files.newInputStream(file);
          TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(in))) {
        for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
          entries.put(e.getName(), e);
          if (e.isFile()) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            tar.transferTo(bytes);
            contents.put(e.getName(), bytes.toByteArray());
          }
        }
      }
      return new Layer(entries, contents);
    }

    String link(String name) {
      TarArchiveEntry e =
          Optional.ofNullable(entries.get(name))
              .orElseThrow(() -> new AssertionError(name + " not in the layer"));
      assertTrue(e.isSymbolicLink(), name + " is stored as a symbolic link");
      return e.getLinkName();
    }

    String text(String name) {
      return new String(
          Optional.ofNullable(contents.get(name))
              .orElseThrow(() -> new AssertionError(name + " not in the layer")),
          StandardCharsets.UTF_8);
    }

    boolean contains(String text) {
      byte[] needle = text.getBytes(StandardCharsets.UTF_8);
      return contents.values().stream().anyMatch(c -> indexOf(c, needle) >= 0);
    }

    private static int indexOf(byte[] hay, byte[] needle) {
      outer:
      for (int i = 0; i + needle.length <= hay.length; i++) {
        for (int j = 0; j < needle.length; j++) {
          if (hay[i + j] != needle[j]) {
            continue outer;
          }
        }
        return i;
      }
      return -1;
    }
  }
}
