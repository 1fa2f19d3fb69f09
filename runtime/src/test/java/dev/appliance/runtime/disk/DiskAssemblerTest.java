package dev.appliance.runtime.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.ApplianceException;
import dev.appliance.common.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DiskAssemblerTest {
  static final long SIZE = 64L << 20;

  /**
   * VFS capability v2: cap_setuid (bit 7, a byte >= 0x80) and cap_net_raw (bit 13) permitted,
   * effective.
   */
  static final byte[] CAPS = {
    1, 0, 0, 2, (byte) 0x80, 0x20, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
  };

  @TempDir Path tmp;
  Path cache;

  @BeforeEach
  void setUp() throws IOException {
    cache = Files.createDirectory(tmp.resolve("cache"));
  }

  /** A layer with every kind of file a root filesystem holds. */
  static TestLayer fidelityLayer() {
    return new TestLayer()
        .dir("./", 0755, 0, 0)
        .dir("./usr", 0755, 0, 0)
        .dir("./usr/bin", 0755, 0, 0)
        .file("./usr/bin/su", "setuid binary", 04755, 0, 0)
        .hardLink("./usr/bin/su-link", "./usr/bin/su")
        .dir("./etc", 0755, 0, 0)
        .file("./etc/gshadow-", "secret", 0, 0, 42)
        .dir("./home/alice", 0750, 1000, 1000)
        .file("./home/alice/notes", "mine", 0600, 1000, 1000)
        .symlink("./bin", "usr/bin")
        .symlink("./etc/localtime", "/usr/share/zoneinfo/UTC")
        .dir("./dev", 0755, 0, 0)
        .device("./dev/null", TarConstants.LF_CHR, 1, 3, 0666)
        .device("./dev/vda", TarConstants.LF_BLK, 254, 0, 0660)
        .device("./dev/initctl", TarConstants.LF_FIFO, 0, 0, 0600)
        .fileWithXattrs(
            "./usr/bin/ping",
            "ping",
            Map.of("security.capability", CAPS, "user.note", "hi".getBytes()))
        .fileWithRawSchilyXattr("./usr/bin/gnu-ping", "ping", "security.capability", CAPS);
  }

  ImageLayers image(String digest, Path... layers) {
    return new ImageLayers("test:1", digest, List.of(layers));
  }

  @Test
  void keepsOwnersModesLinksDevicesAndXattrs() throws IOException {
    Path layer = fidelityLayer().writeTo(tmp.resolve("l1.tar.gz"));
    Path disk = new DiskAssembler(cache).assemble(image("sha256:aa", layer), SIZE);
    Debugfs fs = new Debugfs(disk);

    assertEquals(0, fs.fsck().exitCode(), fs.fsck().stdout());
    assertEquals(SIZE, Files.size(disk));
    assertFidelity(fs);
  }

  static void assertFidelity(Debugfs fs) {
    Debugfs.Stat su = fs.stat("/usr/bin/su");
    assertEquals(04755, su.mode());
    assertEquals(2, su.links(), "hard link shares the inode");
    assertEquals("setuid binary", fs.cat("/usr/bin/su-link"));

    Debugfs.Stat gshadow = fs.stat("/etc/gshadow-");
    assertEquals(0, gshadow.mode());
    assertEquals(0, gshadow.uid());
    assertEquals(42, gshadow.gid());
    assertEquals("secret", fs.cat("/etc/gshadow-"));

    Debugfs.Stat alice = fs.stat("/home/alice");
    assertEquals(0750, alice.mode());
    assertEquals(1000, alice.uid());
    assertEquals(1000, fs.stat("/home/alice/notes").gid());
    assertEquals(0755, fs.stat("/home").mode(), "implied directory");

    assertEquals("symlink", fs.stat("/bin").type());
    assertTrue(fs.stat("/etc/localtime").raw().contains("/usr/share/zoneinfo/UTC"));

    Debugfs.Stat nul = fs.stat("/dev/null");
    assertEquals("character special", nul.type());
    assertEquals(0666, nul.mode());
    assertEquals("1:3", nul.device());
    assertEquals("254:0", fs.stat("/dev/vda").device());
    assertEquals("block special", fs.stat("/dev/vda").type());
    assertEquals("FIFO", fs.stat("/dev/initctl").type());

    for (String ping : List.of("/usr/bin/ping", "/usr/bin/gnu-ping")) {
      String raw = fs.stat(ping).raw();
      assertTrue(
          raw.contains("security.capability (20) = 01 00 00 02 80 20 00 00"), ping + ":\n" + raw);
    }
    assertTrue(fs.stat("/usr/bin/ping").raw().contains("user.note (2) = \"hi\""));
  }

  @Test
  void honoursWhiteoutsAndOpaqueDirectories() throws IOException {
    Path lower =
        new TestLayer()
            .file("a/x", "x")
            .file("a/y", "y")
            .file("b/old", "old")
            .file("b/sub/deep", "deep")
            .file("c/keep", "keep")
            .writeTo(tmp.resolve("lower.tar.gz"));
    Path upper =
        new TestLayer()
            .file("a/.wh.x", "")
            .file("b/new", "new")
            .file("b/.wh..wh..opq", "")
            .file("b/sub/fresh", "fresh")
            .file(".wh.c", "")
            .file("c2", "file replacing nothing")
            .file("nowhere/.wh.ghost", "")
            .writeTo(tmp.resolve("upper.tar.gz"));
    Debugfs fs =
        new Debugfs(new DiskAssembler(cache).assemble(image("sha256:bb", lower, upper), SIZE));

    assertNull(fs.stat("/a/x"), "whited out");
    assertEquals("y", fs.cat("/a/y"));
    assertNull(fs.stat("/b/old"), "hidden by the opaque marker");
    assertNull(fs.stat("/b/sub/deep"), "hidden by the opaque marker");
    assertEquals("new", fs.cat("/b/new"), "same-layer entry before the marker stays");
    assertEquals("fresh", fs.cat("/b/sub/fresh"));
    assertNull(fs.stat("/c"), "whole directory whited out");
    assertNull(fs.stat("/a/.wh.x"));
    assertNull(fs.stat("/b/.wh..wh..opq"));
    assertNull(fs.stat("/nowhere"), "a whiteout creates no directory");
    assertEquals(0, fs.fsck().exitCode());
  }

  @Test
  void upperLayerReplacesFilesAndWritesThroughSymlinksInsideTheImage() throws IOException {
    Path lower =
        new TestLayer()
            .dir("usr/lib", 0755, 0, 0)
            .symlink("lib", "usr/lib")
            .symlink("abs", "/usr/lib")
            .file("etc/motd", "old")
            .hardLink("etc/motd-link", "etc/motd")
            .writeTo(tmp.resolve("lower.tar.gz"));
    Path upper =
        new TestLayer()
            .file("lib/libx.so", "via relative link")
            .file("abs/liby.so", "via absolute link, inside the image")
            .file("etc/motd", "new")
            .writeTo(tmp.resolve("upper.tar.gz"));
    Debugfs fs =
        new Debugfs(new DiskAssembler(cache).assemble(image("sha256:cc", lower, upper), SIZE));

    assertEquals("via relative link", fs.cat("/usr/lib/libx.so"));
    assertEquals("via absolute link, inside the image", fs.cat("/usr/lib/liby.so"));
    assertEquals("new", fs.cat("/etc/motd"));
    assertEquals(
        "old", fs.cat("/etc/motd-link"), "replacing a file does not write through its hard link");
    assertEquals(1, fs.stat("/etc/motd").links());
  }

  @Test
  void refusesEntriesThatEscapeTheImage() throws IOException {
    Path victim = tmp.resolve("victim");
    record Case(String what, TestLayer lower, TestLayer upper, String entry) {}
    List<Case> cases =
        List.of(
            new Case(
                "dot-dot",
                new TestLayer().file("ok", "ok"),
                new TestLayer().file("../x", "evil"),
                "../x"),
            new Case(
                "absolute",
                new TestLayer().file("ok", "ok"),
                new TestLayer().file("/etc/x", "evil"),
                "/etc/x"),
            new Case(
                "symlink out",
                new TestLayer().file("ok", "ok"),
                new TestLayer().symlink("a/b/out", "../../../.."),
                "a/b/out"),
            // Each link passes the lexical check; only following them climbs above the root.
            new Case(
                "write through escaping symlinks",
                new TestLayer().symlink("b", "/").symlink("a", "b/.."),
                new TestLayer().file("a/x", "evil"),
                "a/x"),
            new Case(
                "hard link out",
                new TestLayer().file("ok", "ok"),
                new TestLayer().hardLink("passwd", "../../../../etc/passwd"),
                "passwd"),
            new Case(
                "hard link absolute",
                new TestLayer().file("ok", "ok"),
                new TestLayer().hardLink("passwd", "/etc/passwd"),
                "passwd"),
            new Case(
                "hard link to a missing file",
                new TestLayer().file("ok", "ok"),
                new TestLayer().hardLink("h", victim.toString().substring(1)),
                "h"));
    int n = 0;
    for (Case c : cases) {
      Path lower = c.lower().writeTo(tmp.resolve("lower" + n + ".tar.gz"));
      Path upper = c.upper().writeTo(tmp.resolve("upper" + n + ".tar.gz"));
      ImageLayers image = image("sha256:e" + n++, lower, upper);
      InvalidInputException e =
          assertThrows(
              InvalidInputException.class,
              () -> new DiskAssembler(cache).assemble(image, SIZE),
              c.what());
      assertTrue(e.getMessage().contains("'" + c.entry() + "'"), c.what() + ": " + e.getMessage());
      assertTrue(e.getMessage().contains("layer "), c.what() + ": " + e.getMessage());
    }
    assertFalse(Files.exists(victim));
    try (Stream<Path> left = Files.list(cache)) {
      assertEquals(
          List.of(cache.resolve(".locks")),
          left.toList(),
          "nothing but the lock directory in the cache");
    }
  }

  @Test
  void secondCallReturnsTheCachedDiskAtOnce() throws IOException {
    Path layer = fidelityLayer().writeTo(tmp.resolve("l.tar.gz"));
    DiskAssembler assembler = new DiskAssembler(cache);
    Path first = assembler.assemble(image("sha256:dd", layer), SIZE);
    FileTime built = Files.getLastModifiedTime(first);

    long start = System.nanoTime();
    Path second = new DiskAssembler(cache).assemble(image("sha256:dd", layer), SIZE);
    long millis = (System.nanoTime() - start) / 1_000_000;

    assertEquals(first, second);
    assertEquals(built, Files.getLastModifiedTime(second), "not rebuilt");
    assertTrue(millis < 100, "cache hit took " + millis + " ms");
  }

  @Test
  void filesLargerThanTheDiskAreAnInvalidImageRefusedBeforeStaging() throws IOException {
    byte[] big = new byte[20 << 20];
    new java.util.Random(1).nextBytes(big);
    Path layer = new TestLayer().file("big.bin", big, 0644).writeTo(tmp.resolve("big.tar.gz"));
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () ->
                new DiskAssembler(cache)
                    .assemble(image("sha256:b1", layer), DiskAssembler.MIN_SIZE_BYTES));
    assertTrue(
        e.getMessage().contains("'big.bin' refused")
            && e.getMessage().contains("the image's disk size"),
        e.getMessage());
    try (Stream<Path> left = Files.list(cache)) {
      assertEquals(List.of(cache.resolve(".locks")), left.toList());
    }
  }

  @Test
  void contentThatFitsTheSizeButNotTheFilesystemIsAClearFailure() throws IOException {
    byte[] big = new byte[15 << 20];
    new java.util.Random(1).nextBytes(big);
    Path layer = new TestLayer().file("big.bin", big, 0644).writeTo(tmp.resolve("big.tar.gz"));
    ApplianceException e =
        assertThrows(
            ApplianceException.class,
            () ->
                new DiskAssembler(cache)
                    .assemble(image("sha256:b1", layer), DiskAssembler.MIN_SIZE_BYTES));
    assertTrue(e.getMessage().contains("disk size too small"), e.getMessage());
    try (Stream<Path> left = Files.list(cache)) {
      assertEquals(List.of(cache.resolve(".locks")), left.toList());
    }
  }

  @Test
  void unreadableLayersAreClearErrors() throws IOException {
    Path zstd =
        Files.write(
            tmp.resolve("zstd.tar.zst"),
            new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 0, 0, 0, 0});
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () -> new DiskAssembler(cache).assemble(image("sha256:c1", zstd), SIZE));
    assertTrue(e.getMessage().contains("zstd"), e.getMessage());

    byte[] truncated =
        Arrays.copyOf(Files.readAllBytes(fidelityLayer().writeTo(tmp.resolve("t.tar.gz"))), 300);
    Path broken = Files.write(tmp.resolve("broken.tar.gz"), truncated);
    ApplianceException f =
        assertThrows(
            ApplianceException.class,
            () -> new DiskAssembler(cache).assemble(image("sha256:c2", broken), SIZE));
    assertTrue(
        f.getMessage().contains("broken.tar.gz") && f.getMessage().contains("cannot read layer"),
        f.getMessage());
    try (Stream<Path> left = Files.list(cache)) {
      assertEquals(List.of(cache.resolve(".locks")), left.toList());
    }
  }

  @Test
  void aBuildKilledHalfWayIsCleanedUpByTheNext() throws IOException {
    Path layer = fidelityLayer().writeTo(tmp.resolve("l.tar.gz"));
    ImageLayers image = image("sha256:ab", layer);
    DiskAssembler assembler = new DiskAssembler(cache);
    Path abandoned =
        Files.createDirectories(
            cache.resolve(
                ".build-" + assembler.cachedPath(image, SIZE).getFileName() + "-12345/work/root"));
    Files.writeString(abandoned.resolve("half-written"), "x");

    Path disk = assembler.assemble(image, SIZE);

    try (Stream<Path> files = Files.list(cache)) {
      assertEquals(List.of(cache.resolve(".locks"), disk), files.sorted().toList());
    }
  }

  @Test
  void concurrentCallersShareOneBuild() throws Exception {
    Path layer = fidelityLayer().writeTo(tmp.resolve("l.tar.gz"));
    ExecutorService pool = Executors.newFixedThreadPool(3);
    try {
      List<Future<Path>> results = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        results.add(
            pool.submit(() -> new DiskAssembler(cache).assemble(image("sha256:ff", layer), SIZE)));
      }
      Path disk = results.get(0).get();
      for (Future<Path> f : results) {
        assertEquals(disk, f.get());
      }
      assertNotNull(new Debugfs(disk).stat("/usr/bin/su"));
      try (Stream<Path> files = Files.list(cache)) {
        assertEquals(2, files.count(), "one disk and the lock directory, no leftover builds");
      }
    } finally {
      pool.shutdownNow();
    }
  }
}
