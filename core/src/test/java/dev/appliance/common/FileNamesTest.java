package dev.appliance.common;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileNamesTest {
  private static final byte[] NOT_UTF8 = {'a', (byte) 0xe9, (byte) 0xff, 'b', (byte) 0xc3};

  @TempDir Path tmp;

  @Test
  void validUtf8DecodesAsUsualAndInvalidBytesComeBackExactly() {
    assertEquals(
        "Főtanúsítvány 日本 🦊",
        FileNames.decode("Főtanúsítvány 日本 🦊".getBytes(StandardCharsets.UTF_8)));
    assertTrue(FileNames.isUtf8("Főtanúsítvány 日本 🦊"));
    String escaped = FileNames.decode(NOT_UTF8);
    assertEquals("a\uDCE9\uDCFFb\uDCC3", escaped);
    assertFalse(FileNames.isUtf8(escaped));
    assertArrayEquals(NOT_UTF8, FileNames.encode(escaped));
    assertEquals("a\\xE9\\xFFb\\xC3", FileNames.printable(escaped));
    assertEquals("tab\\x09", FileNames.printable("tab\t"));
  }

  @Test
  void pathsKeepTheirBytesThroughTheFileSystem() throws Exception {
    List<byte[]> names =
        List.of(
            "Főtanúsítvány.crt".getBytes(StandardCharsets.UTF_8),
            "日本語".getBytes(StandardCharsets.UTF_8),
            "🦊 %20 #?".getBytes(StandardCharsets.UTF_8),
            NOT_UTF8);
    for (byte[] name : names) {
      Path file = FileNames.resolve(tmp, FileNames.decode(name));
      Files.writeString(file, "x");
      assertArrayEquals(name, FileNames.encode(FileNames.name(file)));
    }
    List<String> listed = new ArrayList<>();
    try (var children = Files.newDirectoryStream(tmp)) {
      children.forEach(child -> listed.add(FileNames.name(child)));
    }
    assertEquals(names.size(), listed.size());
    for (byte[] name : names) {
      assertTrue(
          listed.contains(FileNames.decode(name)), FileNames.printable(FileNames.decode(name)));
    }
    Path link =
        Files.createSymbolicLink(
            tmp.resolve("link"),
            Path.of("/")
                .relativize(
                    FileNames.path(FileNames.encode("/dir/" + FileNames.decode(NOT_UTF8)))));
    assertArrayEquals(
        FileNames.encode("dir/" + FileNames.decode(NOT_UTF8)),
        FileNames.bytes(Files.readSymbolicLink(link)));
  }
}
