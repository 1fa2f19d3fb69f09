package dev.appliance.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.e2e.support.ApplianceCli;
import dev.appliance.e2e.support.CliResult;
import dev.appliance.e2e.support.CraftedElf;
import dev.appliance.e2e.support.CraftedImage;
import dev.appliance.e2e.support.E2eEnvironment;
import dev.appliance.e2e.support.EndToEnd;
import dev.appliance.e2e.support.LocalRegistry;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/**
 * The hostile-image corpus of issue #12: images made by {@link CraftedImage}, pushed with skopeo to
 * a real docker-registry and started with {@code appliance run REGISTRY/IMAGE}. Each must fail with
 * exit 2 and a message naming the problem, create nothing on the host (the canary an injection or
 * escape would write stays absent), leave no root disk in the cache and no process behind.
 */
@EndToEnd
class HostileImageE2eTest {
  private static final Duration RUN = Duration.ofMinutes(3);
  private static ApplianceCli cli;
  private static LocalRegistry registry;
  private static Path work;
  private static Path canaries;

  /** One hostile image and the words its refusal must contain. */
  private record Case(String name, CraftedImage image, String expected) {}

  @BeforeAll
  static void start() throws IOException {
    cli = ApplianceCli.forTest("hostile");
    work = E2eEnvironment.freshDirectory("hostile-images");
    canaries = E2eEnvironment.freshDirectory("hostile-canaries");
    registry = LocalRegistry.builder(work.resolve("registry")).start();
  }

  @AfterAll
  static void stop() {
    if (registry != null) {
      registry.close();
    }
  }

  @TestFactory
  Stream<DynamicTest> everyHostileImageIsRefused() {
    List<Case> corpus = corpus();
    // Instance names stay short: the instance directory holds Unix sockets.
    return IntStream.range(0, corpus.size())
        .mapToObj(
            i ->
                DynamicTest.dynamicTest(
                    corpus.get(i).name(), () -> assertRefused(corpus.get(i), "h" + i)));
  }

  /**
   * The corpus: docs/security.md ("Hostile-image test corpus") lists it with what each case proves.
   */
  private static List<Case> corpus() {
    List<Case> cases = new ArrayList<>();
    // No host command from image text: each would run "touch CANARY" through debugfs's '!' escape.
    cases.add(
        new Case(
            "xattr-name-line-break",
            image()
                .rawPax(
                    CraftedImage.paxRecord(
                        ("SCHILY.xattr.user.a\n!touch " + canary("xattr-name-line-break") + " #")
                            .getBytes(StandardCharsets.UTF_8),
                        new byte[] {1}),
                    "f",
                    "x"),
            "xattr name holds the control character 0x0a"));
    String encoded =
        URLEncoder.encode(
            "user.a\n!touch " + canary("libarchive-xattr-name") + " #", StandardCharsets.UTF_8);
    cases.add(
        new Case(
            "libarchive-xattr-name",
            image()
                .fileWithPax(
                    "f",
                    "x",
                    Map.of(
                        "LIBARCHIVE.xattr." + encoded,
                        Base64.getEncoder().encodeToString(new byte[] {1}))),
            "xattr name holds the control character 0x0a"));
    cases.add(
        new Case(
            "symlink-target-past-the-debugfs-line",
            image()
                .symlink(
                    "s",
                    "x".repeat(8000)
                        + " ".repeat(400)
                        + "!touch "
                        + canary("symlink-target-past-the-debugfs-line")
                        + " #"),
            "link target longer than 4095 bytes"));
    cases.add(
        new Case(
            "name-line-break",
            image().file("a\n!touch " + canary("name-line-break") + " #", "x"),
            "control character 0x0a"));
    cases.add(
        new Case(
            "name-nul",
            image()
                .rawPax(
                    CraftedImage.paxRecord(
                        "path".getBytes(StandardCharsets.UTF_8),
                        "a\0b".getBytes(StandardCharsets.UTF_8)),
                    "ignored",
                    "x"),
            "control character 0x00"));
    for (int c = 1; c < 0x20; c++) {
      cases.add(controlCharacterInName((char) c));
    }
    cases.add(controlCharacterInName((char) 0x7f));
    cases.add(
        new Case(
            "xattr-outside-linux-namespaces",
            image().fileWithPax("f", "x", Map.of("LIBARCHIVE.xattr.evil.name", "AQ==")),
            "outside the namespaces"));
    cases.add(
        new Case(
            "xattr-value-over-64k",
            image()
                .fileWithPax(
                    "f",
                    "x",
                    Map.of(
                        "LIBARCHIVE.xattr.user.big",
                        Base64.getEncoder().encodeToString(new byte[65537]))),
            "xattr value longer than 65536 bytes"));
    cases.add(
        new Case(
            "component-over-255-bytes",
            image().file("n".repeat(256), "x"),
            "longer than 255 bytes"));
    // Entry rules.
    cases.add(
        new Case(
            "absolute-name",
            image().file(canary("absolute-name").toString(), "x"),
            "absolute path"));
    cases.add(
        new Case(
            "dot-dot-name",
            image().file("a/" + "../".repeat(30) + canary("dot-dot-name"), "x"),
            "'..' in the path"));
    cases.add(
        new Case(
            "hard-link-to-host-file",
            image().hardLink("passwd", "/etc/passwd"),
            "absolute path in link target"));
    cases.add(
        new Case(
            "hard-link-climbing-out",
            image().hardLink("passwd", "../../../../etc/passwd"),
            "'..' in the path in link target"));
    cases.add(
        new Case(
            "hard-link-to-a-later-entry",
            image().hardLink("h", "later").file("later", "x"),
            "is not in the image"));
    cases.add(
        new Case(
            "symlink-climbing-out",
            image()
                .symlink("up", "../../../../../../" + canaries)
                .file("up/symlink-climbing-out", "x"),
            "points outside the image"));
    cases.add(
        new Case(
            "whiteout-of-the-root",
            image().layer().file(".wh.", ""),
            "a whiteout must name a file"));
    cases.add(
        new Case(
            "whiteout-of-dot-dot",
            image().layer().file(".wh..", ""),
            "a whiteout must name a file"));
    // Limits.
    cases.add(
        new Case(
            "gzip-bomb",
            image().zeros("zeros", 256L << 20),
            "past 67108864 bytes, the image's disk size"));
    cases.add(
        new Case(
            "huge-sparse-file",
            image().rawPax(sparse(1L << 30), "huge", "x"),
            "bring the image's files past"));
    // The smallest disk an image may declare (64M) has 16384 inodes.
    CraftedImage many = image().label("dev.appliance.disk-bytes", Long.toString(64L << 20));
    for (int i = 0; i <= 16384; i++) {
      many.file("f" + i, "");
    }
    cases.add(new Case("more-entries-than-inodes", many, "more than 16384 entries"));
    cases.add(
        new Case(
            "pax-header-over-1-mib",
            image()
                .rawPax(
                    CraftedImage.paxRecord(
                        "comment".getBytes(StandardCharsets.UTF_8), new byte[2 << 20]),
                    "f",
                    "x"),
            "at most 1048576 bytes"));
    CraftedImage chain = image();
    for (int i = 0; i < 9; i++) {
      chain.entry(
          tar -> {
            byte[] record =
                CraftedImage.paxRecord(
                    "comment".getBytes(StandardCharsets.UTF_8), new byte[] {'c'});
            var pax =
                new org.apache.commons.compress.archivers.tar.TarArchiveEntry(
                    "./PaxHeaders/f", TarConstants.LF_PAX_EXTENDED_HEADER_LC);
            pax.setSize(record.length);
            tar.putArchiveEntry(pax);
            tar.write(record);
            tar.closeArchiveEntry();
          });
    }
    cases.add(new Case("pax-header-chain", chain.file("f", "x"), "extended tar headers in a row"));
    // Names read from the UML kernel's ELF file.
    cases.add(
        new Case(
            "elf-library-climbing-out",
            image()
                .umlKernel(
                    "/usr/bin/linux.uml",
                    CraftedElf.of(
                        "/lib64/ld-linux-x86-64.so.2",
                        List.of("../../../.." + canary("elf-library-climbing-out")))),
            "not a plain file name"));
    cases.add(
        new Case(
            "elf-loader-line-break",
            image()
                .umlKernel(
                    "/usr/bin/linux.uml",
                    CraftedElf.of(
                        "/lib64/ld\n!touch " + canary("elf-loader-line-break"), List.of())),
            "holds the control character 0x0a"));
    cases.add(
        new Case(
            "elf-loader-relative",
            image().umlKernel("/usr/bin/linux.uml", CraftedElf.of("../../../lib/ld.so", List.of())),
            "not an absolute path"));
    return cases;
  }

  private static Case controlCharacterInName(char c) {
    String name = String.format("control-0x%02x", (int) c);
    return new Case(
        name, image().file("a" + c + "b", "x"), String.format("control character 0x%02x", (int) c));
  }

  /** A valid appliance image to which a case adds its hostile entries. */
  private static CraftedImage image() {
    return CraftedImage.appliance("hostile").file("etc/hostname", "hostile\n");
  }

  private static Path canary(String name) {
    return canaries.resolve(name);
  }

  /** PAX 0.1 sparse records: a file of {@code size} bytes whose one byte of data is its last. */
  private static byte[] sparse(long size) {
    byte[][] records = {
      CraftedImage.paxRecord(bytes("GNU.sparse.size"), bytes(Long.toString(size))),
      CraftedImage.paxRecord(bytes("GNU.sparse.numblocks"), bytes("1")),
      CraftedImage.paxRecord(bytes("GNU.sparse.map"), bytes((size - 1) + ",1"))
    };
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
    for (byte[] r : records) {
      out.writeBytes(r);
    }
    return out.toByteArray();
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static void assertRefused(Case c, String instance) throws IOException {
    Path dir = Files.createDirectories(work.resolve(c.name()));
    String reference = c.image().push(dir, registry, "hostile/" + c.name() + ":1");
    CliResult run = cli.run(RUN, "run", "-d", "--name", instance, reference).assertExit(2);
    assertTrue(
        run.stderr().contains(c.expected()),
        "expected '" + c.expected() + "' in:\n" + run.stderr());
    assertTrue(run.stderr().contains(reference), "names the image: " + run.stderr());
    assertFalse(
        run.stderr().chars().anyMatch(ch -> ch < 0x20 && ch != '\n' || ch == 0x7f),
        "no raw control character reaches the terminal: " + run.stderr());
    assertNothingLeft(c.name());
  }

  /**
   * No canary on the host, no root disk or build directory in the cache, no process of this CLI.
   */
  private static void assertNothingLeft(String name) throws IOException {
    try (Stream<Path> files = Files.list(canaries)) {
      assertEquals(
          List.of(), files.toList(), "nothing written outside the store and instance directories");
    }
    Path disks = cli.dirs().diskCache();
    if (Files.isDirectory(disks)) {
      try (Stream<Path> left = Files.list(disks)) {
        List<String> names =
            left.map(p -> p.getFileName().toString()).filter(n -> !n.equals(".locks")).toList();
        assertTrue(
            names.stream().noneMatch(n -> n.startsWith(".build-")),
            "build directories removed: " + names);
      }
    }
    String home = cli.home().toString();
    List<String> processes =
        ProcessHandle.allProcesses()
            .map(p -> p.info().commandLine().orElse(""))
            .filter(line -> line.contains(home))
            .toList();
    assertEquals(List.of(), processes, name + ": no process left");
  }

  @Test
  void deviceNodesAndDuplicateEntriesLandOnlyInTheGuestDisk() throws IOException {
    CraftedImage crafted =
        image()
            .dir("dev", 0755)
            .device("dev/sda", TarConstants.LF_BLK, 8, 0)
            .device("dev/mem", TarConstants.LF_CHR, 1, 1)
            .file("etc/motd", "first\n")
            .file("etc/motd", "later\n");
    Path dir = Files.createDirectories(work.resolve("devices"));
    String reference = crafted.push(dir, registry, "hostile/devices:1");
    // A valid image without kernels: the disk is assembled, then no engine can boot it.
    CliResult run = cli.run(RUN, "run", "-d", "--name", "devices", reference).assertExit(1);
    assertTrue(run.stderr().contains("no engine could start the appliance"), run.stderr());
    cli.run("rm", "-f", "devices");
    Path disk;
    try (Stream<Path> disks = Files.list(cli.dirs().diskCache())) {
      disk = disks.filter(p -> p.toString().endsWith(".ext4")).findFirst().orElseThrow();
    }
    assertTrue(
        debugfs(disk, "stat /dev/sda").contains("Type: block special"),
        debugfs(disk, "stat /dev/sda"));
    assertTrue(debugfs(disk, "stat /dev/sda").contains("Device major/minor number: 08:00"));
    assertTrue(debugfs(disk, "stat /dev/mem").contains("Type: character special"));
    assertEquals(
        "later\n", debugfs(disk, "cat /etc/motd"), "the later of two entries wins, as in tar");
    try (Stream<Path> all = Files.walk(cli.home())) {
      List<Path> devices = all.filter(HostileImageE2eTest::isDevice).toList();
      assertEquals(List.of(), devices, "no device node on the host");
    }
    assertNothingLeft("devices");
  }

  private static boolean isDevice(Path p) {
    try {
      int mode =
          (Integer) Files.getAttribute(p, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS);
      return (mode & 0170000) == 0020000 || (mode & 0170000) == 0060000;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private static String debugfs(Path disk, String request) throws IOException {
    Process process =
        new ProcessBuilder("debugfs", "-R", request, disk.toString())
            .redirectError(ProcessBuilder.Redirect.DISCARD)
            .start();
    String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return out;
  }

  @Test
  void exportRefusesAHostileImageToo() throws IOException {
    String attack = "user.a\n!touch " + canary("export") + " #";
    CraftedImage crafted =
        image()
            .rawPax(
                CraftedImage.paxRecord(bytes("SCHILY.xattr." + attack), new byte[] {1}), "f", "x");
    Path dir = Files.createDirectories(work.resolve("export"));
    String reference = crafted.push(dir, registry, "hostile/export:1");
    cli.run(RUN, "pull", reference).assertSuccess();
    Path out = Files.createDirectories(dir.resolve("out"));
    CliResult export =
        cli.run(RUN, "export", "--format", "raw", "-o", out.toString(), reference).assertExit(2);
    assertTrue(
        export.stderr().contains("xattr name holds the control character 0x0a"), export.stderr());
    try (Stream<Path> written = Files.list(out)) {
      assertEquals(List.of(), written.toList(), "no half-written export");
    }
    assertNothingLeft("export");
  }

  @Test
  void symlinksUsedAsDirectoriesStayInsideTheImage() throws IOException {
    // An absolute symlink to the canary directory, and a file written through it, then an entry
    // that is refused:
    // the file went to the image's own /<canaries>, never to the host's.
    CraftedImage crafted =
        image()
            .symlink("host", canaries.toString())
            .file("host/through-symlink", "x")
            .file("bad\n", "x");
    Path dir = Files.createDirectories(work.resolve("symlink-as-directory"));
    String reference = crafted.push(dir, registry, "hostile/symlink-as-directory:1");
    cli.run(RUN, "run", "-d", "--name", "symdir", reference).assertExit(2);
    assertNothingLeft("symlink-as-directory");
  }
}
