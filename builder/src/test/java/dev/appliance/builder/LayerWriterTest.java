package dev.appliance.builder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Layer fidelity and determinism, checked with the real tools: files made with
 * mknod/setcap/setfattr, layers read back with GNU tar and Commons Compress.
 */
class LayerWriterTest {
  private static final long EPOCH = 1_700_000_000L;

  @TempDir Path tmp;

  @BeforeAll
  static void needsRoot() {
    assumeTrue("root".equals(System.getProperty("user.name")), "device nodes and owners need root");
  }

  private Path sampleTree() throws Exception {
    Path root = tmp.resolve("tree");
    Files.createDirectories(root.resolve("usr/bin"));
    Files.createDirectories(root.resolve("etc"));
    Files.createDirectories(root.resolve("dev"));
    Path su = Files.writeString(root.resolve("usr/bin/su"), "setuid binary");
    Files.setPosixFilePermissions(su, PosixFilePermissions.fromString("rwxr-xr-x"));
    sh("chown 0:5 " + su + " && chmod 4755 " + su);
    Path ping = Files.writeString(root.resolve("usr/bin/ping"), "ping binary");
    sh("setcap cap_net_raw,cap_setuid+ep " + ping);
    Files.writeString(root.resolve("etc/a"), "linked");
    Files.createLink(root.resolve("etc/b"), root.resolve("etc/a"));
    Files.createSymbolicLink(root.resolve("etc/link"), Path.of("../usr/bin/su"));
    sh(
        "mknod "
            + root.resolve("dev/null")
            + " c 1 3 && mknod "
            + root.resolve("dev/sda")
            + " b 8 0"
            + " && mkfifo "
            + root.resolve("dev/fifo")
            + " && chown 1000:1000 "
            + root.resolve("etc/a"));
    Path deep = root.resolve("x".repeat(60) + "/" + "y".repeat(60));
    Files.createDirectories(deep);
    Files.writeString(deep.resolve("long-name-" + "z".repeat(50)), "long");
    Files.setLastModifiedTime(
        root.resolve("etc/link").getParent(), FileTime.from(EPOCH + 5000, TimeUnit.SECONDS));
    return root;
  }

  @Test
  void keepsOwnersModesLinksDevicesAndCapabilities() throws Exception {
    Path root = sampleTree();
    LayerBlob blob = write(root, tmp.resolve("layer.tar.gz"));
    Map<String, TarArchiveEntry> entries = read(tmp.resolve("layer.tar.gz"));

    TarArchiveEntry su = entries.get("usr/bin/su");
    assertEquals(04755, su.getMode());
    assertEquals(5, su.getLongGroupId());
    assertEquals("", su.getUserName());
    TarArchiveEntry b = entries.get("etc/b");
    assertTrue(b.isLink(), "second name of a hard link is a link entry");
    assertEquals("etc/a", b.getLinkName());
    assertEquals(1000, entries.get("etc/a").getLongUserId());
    assertEquals("../usr/bin/su", entries.get("etc/link").getLinkName());
    TarArchiveEntry dev = entries.get("dev/null");
    assertTrue(dev.isCharacterDevice());
    assertEquals(1, dev.getDevMajor());
    assertEquals(3, dev.getDevMinor());
    assertTrue(entries.get("dev/sda").isBlockDevice());
    assertTrue(entries.get("dev/fifo").isFIFO());
    assertEquals(
        EPOCH, entries.get("etc/").getLastModifiedTime().to(TimeUnit.SECONDS), "mtime clamped");
    assertTrue(entries.keySet().stream().anyMatch(n -> n.endsWith("long-name-" + "z".repeat(50))));

    // GNU tar, an independent reader, restores the capability byte for byte.
    Path out = Files.createDirectories(tmp.resolve("out"));
    sh("tar --xattrs --xattrs-include='*' -xpzf " + tmp.resolve("layer.tar.gz") + " -C " + out);
    assertEquals(
        sh("getcap " + root.resolve("usr/bin/ping")).replace(root.toString(), ""),
        sh("getcap " + out.resolve("usr/bin/ping")).replace(out.toString(), ""));
    assertTrue(sh("getcap " + out.resolve("usr/bin/ping")).contains("cap_net_raw"));
    assertTrue(
        sh("stat -c %F:%t:%T " + out.resolve("dev/sda")).startsWith("block special file:8:0"));
    assertEquals(
        sh("stat -c %i " + out.resolve("etc/a")), sh("stat -c %i " + out.resolve("etc/b")));
  }

  @Test
  void overlayWhiteoutsAndOpaqueDirectoriesBecomeOciWhiteouts() throws Exception {
    Path upper = Files.createDirectories(tmp.resolve("upper"));
    Files.createDirectories(upper.resolve("etc/opaque"));
    Files.writeString(upper.resolve("etc/opaque/new"), "new");
    sh(
        "mknod "
            + upper.resolve("etc/gone")
            + " c 0 0"
            + " && setfattr -n trusted.overlay.opaque -v y "
            + upper.resolve("etc/opaque"));
    LayerBlob blob = write(upper, tmp.resolve("layer.tar.gz"));
    List<String> names = new ArrayList<>(read(tmp.resolve("layer.tar.gz")).keySet());
    assertEquals(
        List.of("etc/", "etc/.wh.gone", "etc/opaque/", "etc/opaque/.wh..wh..opq", "etc/opaque/new"),
        names);
    assertTrue(
        read(tmp.resolve("layer.tar.gz")).get("etc/opaque/").getExtraPaxHeaders().isEmpty(),
        "overlay xattrs dropped");
  }

  @Test
  void sameTreeGivesSameBytesWhateverTheTimestamps() throws Exception {
    Path root = sampleTree();
    LayerBlob first = write(root, tmp.resolve("1.tar.gz"));
    sh("touch " + root.resolve("etc/a") + " " + root.resolve("usr/bin"));
    LayerBlob second = write(root, tmp.resolve("2.tar.gz"));
    assertEquals(first.digest(), second.digest());
    assertEquals(first.diffId(), second.diffId());
    assertArrayEquals(
        Files.readAllBytes(tmp.resolve("1.tar.gz")), Files.readAllBytes(tmp.resolve("2.tar.gz")));
    assertEquals(Files.size(tmp.resolve("1.tar.gz")), first.size());
    assertEquals(
        "sha256:" + sh("sha256sum " + tmp.resolve("1.tar.gz")).split(" ")[0],
        first.digest().toString());
    assertEquals(
        "sha256:" + sh("gzip -dc " + tmp.resolve("1.tar.gz") + " | sha256sum").split(" ")[0],
        first.diffId().toString());

    Files.writeString(root.resolve("etc/a"), "changed");
    LayerBlob third = write(root, tmp.resolve("3.tar.gz"));
    assertNotEquals(first.digest(), third.digest());
  }

  @Test
  void anOpaqueDirectoryMarkedByAnUnprivilegedOverlayIsOpaqueToo() throws Exception {
    Path upper = Files.createDirectories(tmp.resolve("upper"));
    Files.createDirectories(upper.resolve("etc/opaque"));
    sh("setfattr -n user.overlay.opaque -v y " + upper.resolve("etc/opaque"));
    write(upper, tmp.resolve("layer.tar.gz"));
    Map<String, TarArchiveEntry> entries = read(tmp.resolve("layer.tar.gz"));
    assertEquals(
        List.of("etc/", "etc/opaque/", "etc/opaque/.wh..wh..opq"),
        new ArrayList<>(entries.keySet()));
    assertTrue(entries.get("etc/opaque/").getExtraPaxHeaders().isEmpty(), "overlay xattrs dropped");
  }

  @Test
  void aBaseLayerHasTheStandardDevicesWhetherTheTreeCouldCreateThemOrNot() throws Exception {
    // Root's mmdebstrap creates /dev/null and friends; a rootless one cannot: same layer either
    // way.
    Path withNodes = Files.createDirectories(tmp.resolve("root-mode/dev"));
    sh(
        "cd "
            + withNodes
            + " && mknod console c 5 1 && mknod null c 1 3 && mknod zero c 1 5 && mkdir pts"
            + " && ln -s /proc/self/fd fd");
    Path without = Files.createDirectories(tmp.resolve("rootless/dev"));
    Files.writeString(without.resolve("extra"), "a file of the tree's own");
    Files.writeString(withNodes.resolve("extra"), "a file of the tree's own");
    sh("touch -d @" + EPOCH + " " + withNodes + " " + without);
    LayerBlob a;
    LayerBlob b;
    try (var out = Files.newOutputStream(tmp.resolve("a.tar.gz"));
        var out2 = Files.newOutputStream(tmp.resolve("b.tar.gz"))) {
      a = new LayerWriter(EPOCH, 6).forBaseLayer().write(withNodes.getParent(), out, n -> {});
      b = new LayerWriter(EPOCH, 6).forBaseLayer().write(without.getParent(), out2, n -> {});
    }
    assertEquals(a.digest(), b.digest());
    Map<String, TarArchiveEntry> entries = read(tmp.resolve("b.tar.gz"));
    TarArchiveEntry nul = entries.get("dev/null");
    assertTrue(
        nul.isCharacterDevice() && nul.getDevMajor() == 1 && nul.getDevMinor() == 3,
        "dev/null is char 1:3");
    assertEquals(0666, nul.getMode() & 07777);
    assertEquals("/proc/self/fd", entries.get("dev/fd").getLinkName());
    assertTrue(
        entries.containsKey("dev/extra")
            && entries.containsKey("dev/pts/")
            && entries.containsKey("dev/urandom"),
        entries.keySet().toString());
    assertEquals(
        entries.keySet().stream().sorted(LayerWriter::compareBytes).toList(),
        new ArrayList<>(entries.keySet()),
        "entries stay sorted");
  }

  @Test
  void linksToHostFilesAreArchivedAsLinksNeverReadThrough() throws Exception {
    // What a run step can leave: a link to a host file, and directories that are links to host
    // directories.
    Path host = Files.createDirectories(tmp.resolve("host/etc"));
    String secret = "host secret " + System.nanoTime();
    Files.writeString(host.resolve("shadow"), secret);
    Path tree = Files.createDirectories(tmp.resolve("tree/etc"));
    Files.createSymbolicLink(tree.resolve("leak"), host.resolve("shadow"));
    Files.createSymbolicLink(tree.resolve("hostetc"), host);
    Files.createSymbolicLink(tree.getParent().resolve("root"), Path.of("/"));

    write(tree.getParent(), tmp.resolve("layer.tar.gz"));

    Map<String, TarArchiveEntry> entries = read(tmp.resolve("layer.tar.gz"));
    assertEquals(
        List.of("etc/", "etc/hostetc", "etc/leak", "root"), new ArrayList<>(entries.keySet()));
    assertTrue(entries.get("etc/leak").isSymbolicLink() && entries.get("etc/leak").getSize() == 0);
    assertEquals(host.resolve("shadow").toString(), entries.get("etc/leak").getLinkName());
    assertEquals(host.toString(), entries.get("etc/hostetc").getLinkName());
    assertEquals("/", entries.get("root").getLinkName());
    assertTrue(
        !sh("gzip -dc " + tmp.resolve("layer.tar.gz") + " | strings").contains(secret),
        "host content in the layer");
  }

  private static LayerBlob write(Path tree, Path file) throws IOException {
    try (var out = Files.newOutputStream(file)) {
      return new LayerWriter(EPOCH, 6).write(tree, out, n -> {});
    }
  }

  static Map<String, TarArchiveEntry> read(Path layer) throws IOException {
    Map<String, TarArchiveEntry> entries = new LinkedHashMap<>();
    try (InputStream in = Files.newInputStream(layer);
        TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(in))) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        entries.put(e.getName(), e);
      }
    }
    return entries;
  }

  static String sh(String command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes()).trim();
    assertEquals(0, p.waitFor(), command + ": " + output);
    return output;
  }
}
