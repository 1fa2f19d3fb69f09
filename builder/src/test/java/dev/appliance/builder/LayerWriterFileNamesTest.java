package dev.appliance.builder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.FileNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * File names are bytes from the tree to the layer, whatever the locale of the JVM writing it: the
 * layer is written by a JVM started with LC_ALL=C (whose file-name charset is ASCII) and by one
 * with LC_ALL=C.UTF-8, and both layers must be the same bytes, with every name (and symlink target)
 * as GNU tar reads it back.
 */
class LayerWriterFileNamesTest {
  /** Latin accents, CJK, an emoji (a surrogate pair in Java), and bytes that are not UTF-8. */
  static final List<byte[]> NAMES =
      List.of(
          "NetLock_Arany_=Class_Gold=_Főtanúsítvány.crt".getBytes(StandardCharsets.UTF_8),
          "日本語のファイル".getBytes(StandardCharsets.UTF_8),
          "fox-🦊.txt".getBytes(StandardCharsets.UTF_8),
          new byte[] {
            'l', 'a', 't', 'i', 'n', '1', '-', (byte) 0xe9, (byte) 0xff, '.', 't', 'x', 't'
          });

  @TempDir Path tmp;

  @Test
  void namesAreTheTreesBytesInTheLayerWhateverTheLocale() throws Exception {
    Path tree = Files.createDirectory(tmp.resolve("tree"));
    Path dir =
        Files.createDirectory(FileNames.resolve(tree, "dir-" + FileNames.decode(NAMES.get(1))));
    for (byte[] name : NAMES) {
      Files.writeString(FileNames.resolve(dir, FileNames.decode(name)), "content");
    }
    // Like ca-certificates: a link in another directory to each file.
    Path links = Files.createDirectory(tree.resolve("links"));
    for (byte[] name : NAMES) {
      Files.createSymbolicLink(
          FileNames.resolve(links, FileNames.decode(name)),
          FileNames.path(
              concat(FileNames.bytes(dir), "/".getBytes(StandardCharsets.US_ASCII), name)));
    }

    byte[] ascii = writeLayer(tree, "C", "ANSI_X3.4-1968");
    byte[] utf8 = writeLayer(tree, "C.UTF-8", "UTF-8");
    assertArrayEquals(
        utf8, ascii, "the layer written under LC_ALL=C differs from the one under C.UTF-8");

    // GNU tar, an independent reader, extracts every name and link target byte for byte.
    Path layer = Files.write(tmp.resolve("layer.tar.gz"), ascii);
    Path out = Files.createDirectory(tmp.resolve("out"));
    Processes.check(List.of("tar", "-xzf", layer.toString(), "-C", out.toString()));
    Path outDir = FileNames.resolve(out, "dir-" + FileNames.decode(NAMES.get(1)));
    List<String> expected = new ArrayList<>();
    for (byte[] name : NAMES) {
      expected.add(FileNames.decode(name));
      Path file = FileNames.resolve(outDir, FileNames.decode(name));
      assertEquals("content", Files.readString(file), FileNames.printable(FileNames.decode(name)));
      Path link = FileNames.resolve(out.resolve("links"), FileNames.decode(name));
      byte[] target = FileNames.bytes(Files.readSymbolicLink(link));
      assertArrayEquals(
          concat(FileNames.bytes(dir), "/".getBytes(StandardCharsets.US_ASCII), name), target);
    }
    List<String> listed = new ArrayList<>();
    try (var children = Files.newDirectoryStream(outDir)) {
      children.forEach(child -> listed.add(FileNames.name(child)));
    }
    listed.sort(LayerWriter::compareBytes);
    expected.sort(LayerWriter::compareBytes);
    assertEquals(expected, listed);
  }

  @Test
  void aNameThatIsNotUtf8IsMarkedBinaryInItsPaxHeader() throws Exception {
    Path tree = Files.createDirectory(tmp.resolve("tree"));
    Files.writeString(FileNames.resolve(tree, FileNames.decode(NAMES.get(3))), "x");
    Files.writeString(FileNames.resolve(tree, FileNames.decode(NAMES.get(0))), "x");
    byte[] tar = gunzip(writeLayer(tree, "C", "ANSI_X3.4-1968"));
    String raw = new String(tar, StandardCharsets.ISO_8859_1);
    assertTrue(raw.contains("hdrcharset=BINARY\n"), "POSIX hdrcharset=BINARY marks the raw name");
    assertTrue(
        raw.contains("path=" + new String(NAMES.get(3), StandardCharsets.ISO_8859_1) + "\n"),
        "the raw bytes");
    assertEquals(
        1, raw.split("hdrcharset=", -1).length - 1, "only the name that is not UTF-8 is marked");
    assertTrue(
        raw.contains("path=" + new String(NAMES.get(0), StandardCharsets.ISO_8859_1) + "\n"),
        "a UTF-8 name is a UTF-8 PAX path");
  }

  private byte[] writeLayer(Path tree, String locale, String expectedCharset)
      throws IOException, InterruptedException {
    Path layer = tmp.resolve("layer-" + locale + ".tar.gz");
    ProcessBuilder pb =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            WriteLayerMain.class.getName(),
            tree.toString(),
            layer.toString());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("LC_") || k.equals("LANG") || k.equals("LANGUAGE"));
    env.put("LC_ALL", locale);
    Process p = pb.redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), output);
    assertEquals(expectedCharset, output.strip(), "the child JVM's file-name charset");
    return Files.readAllBytes(layer);
  }

  private static byte[] gunzip(byte[] gz) throws IOException {
    try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(gz))) {
      return in.readAllBytes();
    }
  }

  private static byte[] concat(byte[]... parts) {
    byte[] all = new byte[Arrays.stream(parts).mapToInt(p -> p.length).sum()];
    int at = 0;
    for (byte[] p : parts) {
      System.arraycopy(p, 0, all, at, p.length);
      at += p.length;
    }
    return all;
  }
}
