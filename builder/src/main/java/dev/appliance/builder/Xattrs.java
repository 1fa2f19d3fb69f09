package dev.appliance.builder;

import dev.appliance.common.FileNames;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Extended attributes of every file in a tree, all namespaces (security.capability,
 * trusted.overlay.*, user.*). Java's own xattr view only sees user.*, so this asks getfattr once
 * per tree (package attr).
 */
final class Xattrs {
  private final Map<Path, Map<String, byte[]>> byPath;

  private Xattrs(Map<Path, Map<String, byte[]>> byPath) {
    this.byPath = byPath;
  }

  /** Reads the attributes of every file under {@code root} (symlinks not followed). */
  static Xattrs read(Path root) {
    Processes.Result result =
        Processes.run(
            List.of(
                "getfattr",
                "--recursive",
                "--physical",
                "--no-dereference",
                "--dump",
                "--match=-",
                "--encoding=hex",
                "--absolute-names",
                root.toString()),
            Map.of("LC_ALL", "C"),
            null,
            line -> {},
            true);
    if (result.exitCode() != 0 && result.stdout().length == 0) {
      throw new dev.appliance.common.ApplianceException(
          "getfattr failed on " + root + ": " + result.tail());
    }
    return parse(result.stdout());
  }

  /** Attributes of one file, sorted by name; empty when it has none. */
  Map<String, byte[]> of(Path file) {
    return byPath.getOrDefault(file, Map.of());
  }

  static Xattrs parse(byte[] dump) {
    Map<Path, Map<String, byte[]>> byPath = new HashMap<>();
    Map<String, byte[]> current = null;
    for (String line : new String(dump, StandardCharsets.ISO_8859_1).split("\n")) {
      if (line.startsWith("# file: ")) {
        current = new TreeMap<>();
        byPath.put(FileNames.path(unescape(line.substring(8))), current);
      } else if (current != null && line.contains("=")) {
        int eq = line.indexOf('=');
        String value = line.substring(eq + 1);
        byte[] bytes =
            value.startsWith("0x")
                ? HexFormat.of().parseHex(value.substring(2))
                : value.replaceAll("^\"|\"$", "").getBytes(StandardCharsets.ISO_8859_1);
        current.put(FileNames.decode(unescape(line.substring(0, eq))), bytes);
      }
    }
    return new Xattrs(byPath);
  }

  /**
   * getfattr writes bytes outside printable ASCII as \ooo and a backslash as \\; names are bytes.
   */
  private static byte[] unescape(String s) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '\\' && i + 1 < s.length() && s.charAt(i + 1) == '\\') {
        out.write('\\');
        i++;
      } else if (c == '\\' && isOctal(s, i + 1)) {
        out.write(Integer.parseInt(s.substring(i + 1, i + 4), 8));
        i += 3;
      } else {
        out.write(c);
      }
    }
    return out.toByteArray();
  }

  private static boolean isOctal(String s, int from) {
    if (from + 3 > s.length()) {
      return false;
    }
    for (int i = from; i < from + 3; i++) {
      if (s.charAt(i) < '0' || s.charAt(i) > '7') {
        return false;
      }
    }
    return true;
  }
}
