package dev.appliance.runtime.disk;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.appliance.common.FileNames;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * File names are bytes from the layers to the ext4 disk, whatever the locale of the JVM assembling
 * it. The layers come from GNU tar, an independent writer: one in PAX format (names in PAX path
 * records, raw bytes as GNU tar writes them) and one in GNU format (names and link targets in the
 * header fields). The disk is assembled by a JVM started with LC_ALL=C (file-name charset ASCII)
 * and by one with C.UTF-8; on both disks debugfs must read every name and symlink target back byte
 * for byte.
 */
class DiskAssemblerFileNamesTest {
  /** Latin accents, CJK, an emoji (a surrogate pair in Java), and bytes that are not UTF-8. */
  private static final List<byte[]> NAMES =
      List.of(
          "NetLock_Arany_=Class_Gold=_Főtanúsítvány.crt".getBytes(StandardCharsets.UTF_8),
          "日本語のファイル".getBytes(StandardCharsets.UTF_8),
          "fox-🦊.txt".getBytes(StandardCharsets.UTF_8),
          new byte[] {
            'l', 'a', 't', 'i', 'n', '1', '-', (byte) 0xe9, (byte) 0xff, '.', 't', 'x', 't'
          });

  private static final String DIR = "certs-" + FileNames.decode(NAMES.get(1));

  @TempDir Path tmp;

  @Test
  void namesOnTheDiskAreTheLayersBytesWhateverTheLocale() throws Exception {
    Path tree = Files.createDirectory(tmp.resolve("tree"));
    Path dir = Files.createDirectory(FileNames.resolve(tree, DIR));
    Path links = Files.createDirectory(tree.resolve("links"));
    for (byte[] bytes : NAMES) {
      String name = FileNames.decode(bytes);
      Files.writeString(FileNames.resolve(dir, name), "content of " + FileNames.printable(name));
      // Like /etc/ssl/certs: a link in another directory, named and pointing by the same bytes.
      Path target =
          Path.of("/").relativize(FileNames.path(FileNames.encode("/" + DIR + "/" + name)));
      Files.createSymbolicLink(FileNames.resolve(links, name), Path.of("..").resolve(target));
    }
    Path pax = tar("pax", tree, "files.tar.gz", DIR);
    Path gnu = tar("gnu", tree, "links.tar.gz", "links");

    for (String locale : List.of("C", "C.UTF-8")) {
      assertNamesOnDisk(assemble(locale, pax, gnu), locale);
    }
  }

  private void assertNamesOnDisk(Path disk, String locale) throws IOException {
    Path out = Files.createDirectory(tmp.resolve("out-" + locale));
    HostTool.Result dump =
        HostTool.runAllowingFailure(
            List.of("debugfs", "-R", "rdump / " + out, disk.toString()), tmp, Map.of());
    assertEquals(0, dump.exitCode(), dump.stderr());
    List<String> onDisk = new ArrayList<>();
    try (var children = Files.newDirectoryStream(FileNames.resolve(out, DIR))) {
      children.forEach(child -> onDisk.add(FileNames.name(child)));
    }
    List<String> expected = new ArrayList<>(NAMES.stream().map(FileNames::decode).toList());
    onDisk.sort(String::compareTo);
    expected.sort(String::compareTo);
    assertEquals(
        expected, onDisk, "names in " + DIR + " on the disk assembled under LC_ALL=" + locale);
    for (byte[] bytes : NAMES) {
      String name = FileNames.decode(bytes);
      assertEquals(
          "content of " + FileNames.printable(name),
          Files.readString(FileNames.resolve(out, DIR + "/" + name)));
      Path link = FileNames.resolve(out, "links/" + name);
      assertArrayEquals(
          FileNames.encode("../" + DIR + "/" + name),
          FileNames.bytes(Files.readSymbolicLink(link)),
          "target of links/" + FileNames.printable(name) + " under LC_ALL=" + locale);
    }
  }

  private Path tar(String format, Path tree, String file, String member) throws IOException {
    Path layer = tmp.resolve(file);
    // LC_ALL=C: GNU tar then stores the names' bytes as they are.
    HostTool.Result r =
        HostTool.runAllowingFailure(
            List.of(
                "tar",
                "--format=" + format,
                "--sort=name",
                "-czf",
                layer.toString(),
                "-C",
                tree.toString(),
                member),
            tmp,
            Map.of("LC_ALL", "C"));
    assertEquals(0, r.exitCode(), r.stderr());
    return layer;
  }

  private Path assemble(String locale, Path... layers) throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                AssembleMain.class.getName(),
                tmp.resolve("cache-" + locale).toString(),
                "sha256:" + "ab".repeat(32),
                Long.toString(DiskAssemblerTest.SIZE)));
    for (Path layer : layers) {
      command.add(layer.toString());
    }
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment()
        .keySet()
        .removeIf(k -> k.startsWith("LC_") || k.equals("LANG") || k.equals("LANGUAGE"));
    pb.environment().put("LC_ALL", locale);
    Process p = pb.redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), output);
    return Path.of(output.strip().split("\t")[0]);
  }
}
