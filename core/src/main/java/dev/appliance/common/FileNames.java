package dev.appliance.common;

import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * File names as the bytes Linux stores, independent of the JVM's locale.
 *
 * <p>A Java {@link Path} from a directory listing keeps the name's bytes, but {@code toString()}
 * and {@code Path.of(String)} convert through the locale's charset ({@code sun.jnu.encoding}):
 * under {@code LC_ALL=C} every non-ASCII byte becomes U+FFFD, and even under UTF-8 a name that is
 * not valid UTF-8 cannot come back. This class goes through {@link Path#toUri()} and {@link
 * Path#of(URI)}, which percent-encode the raw bytes whatever the locale.
 *
 * <p>Names travel through the program as Strings decoded from UTF-8 with "surrogate escapes" (PEP
 * 383): a byte that is not part of valid UTF-8 becomes the lone surrogate U+DC80 + byte, which no
 * valid UTF-8 produces, so {@link #encode} gives back the exact bytes.
 */
public final class FileNames {
  private static final int ESCAPE_BASE = 0xDC00;
  private static final char[] HEX = "0123456789ABCDEF".toCharArray();

  private FileNames() {}

  /** The name of {@code bytes}: UTF-8, each undecodable byte as U+DC80..U+DCFF. */
  public static String decode(byte[] bytes) {
    CharsetDecoder utf8 =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPORT)
            .onUnmappableCharacter(CodingErrorAction.REPORT);
    ByteBuffer in = ByteBuffer.wrap(bytes);
    CharBuffer out = CharBuffer.allocate(bytes.length);
    while (true) {
      CoderResult result = utf8.decode(in, out, true);
      if (result.isUnderflow()) {
        break;
      }
      // Malformed (or, for UTF-8, never unmappable): escape each offending byte.
      for (int i = 0; i < result.length(); i++) {
        out.put((char) (ESCAPE_BASE + (in.get() & 0xff)));
      }
    }
    utf8.flush(out);
    return out.flip().toString();
  }

  /**
   * The bytes of a name made by {@link #decode} (or any String: plain UTF-8 where there is no
   * escape).
   */
  public static byte[] encode(String name) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(name.length() + 8);
    int start = 0;
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (isEscape(name, i)) {
        out.writeBytes(name.substring(start, i).getBytes(StandardCharsets.UTF_8));
        out.write(c - ESCAPE_BASE);
        start = i + 1;
      }
    }
    out.writeBytes(name.substring(start).getBytes(StandardCharsets.UTF_8));
    return out.toByteArray();
  }

  /** Whether {@code name} is valid UTF-8 as it is (holds no escaped byte). */
  public static boolean isUtf8(String name) {
    for (int i = 0; i < name.length(); i++) {
      if (isEscape(name, i)) {
        return false;
      }
    }
    return true;
  }

  /** The name for messages: escaped bytes shown as \xNN, control characters as \xNN too. */
  public static String printable(String name) {
    StringBuilder s = new StringBuilder(name.length());
    for (int i = 0; i < name.length(); i++) {
      char c = name.charAt(i);
      if (isEscape(name, i) || c < 0x20 || c == 0x7f) {
        int b = isEscape(name, i) ? c - ESCAPE_BASE : c;
        s.append("\\x").append(HEX[b >> 4]).append(HEX[b & 0xf]);
      } else {
        s.append(c);
      }
    }
    return s.toString();
  }

  /** The raw bytes of an absolute or relative path, exactly as the kernel has them. */
  public static byte[] bytes(Path path) {
    if (path.isAbsolute()) {
      return absoluteBytes(path);
    }
    // toUri() makes a path absolute against the working directory; "/" is a prefix we know.
    byte[] under = absoluteBytes(path.getFileSystem().getPath("/").resolve(path));
    byte[] relative = new byte[under.length - 1];
    System.arraycopy(under, 1, relative, 0, relative.length);
    return relative;
  }

  /** The last element of {@code path} as a name ({@link #decode}d). */
  public static String name(Path path) {
    byte[] all = bytes(path);
    int slash = all.length - 1;
    while (slash >= 0 && all[slash] != '/') {
      slash--;
    }
    byte[] last = new byte[all.length - slash - 1];
    System.arraycopy(all, slash + 1, last, 0, last.length);
    return decode(last);
  }

  /** {@code path} ({@link #decode}d bytes) as text, e.g. a symlink's target. */
  public static String of(Path path) {
    return decode(bytes(path));
  }

  /**
   * The file {@code relative} (a name or "a/b/c", {@link #decode}d bytes) under the absolute {@code
   * dir}.
   */
  public static Path resolve(Path dir, String relative) {
    if (relative.isEmpty()) {
      return dir;
    }
    byte[] base = bytes(dir.toAbsolutePath());
    byte[] rest = encode(relative);
    ByteArrayOutputStream all = new ByteArrayOutputStream(base.length + rest.length + 1);
    all.writeBytes(base);
    if (base[base.length - 1] != '/') {
      all.write('/');
    }
    all.writeBytes(rest);
    return path(all.toByteArray());
  }

  /** The absolute path with these exact bytes. */
  public static Path path(byte[] absolute) {
    if (absolute.length == 0 || absolute[0] != '/') {
      throw new IllegalArgumentException("not an absolute path: " + decode(absolute));
    }
    StringBuilder uri = new StringBuilder("file://");
    for (byte b : absolute) {
      int c = b & 0xff;
      if (c == 0) {
        throw new IllegalArgumentException("NUL in a path: " + printable(decode(absolute)));
      }
      if (c >= 'a' && c <= 'z'
          || c >= 'A' && c <= 'Z'
          || c >= '0' && c <= '9'
          || "/-._~".indexOf(c) >= 0) {
        uri.append((char) c);
      } else {
        uri.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
      }
    }
    return Path.of(URI.create(uri.toString()));
  }

  private static byte[] absoluteBytes(Path absolute) {
    String raw = absolute.toUri().getRawPath();
    ByteArrayOutputStream out = new ByteArrayOutputStream(raw.length());
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c == '%' && i + 2 < raw.length()) {
        out.write(Integer.parseInt(raw, i + 1, i + 3, 16));
        i += 2;
      } else {
        out.write(c);
      }
    }
    byte[] bytes = out.toByteArray();
    // toUri() appends '/' to a directory's path; a Path never ends in one (except the root).
    int length =
        bytes.length > 1 && bytes[bytes.length - 1] == '/' ? bytes.length - 1 : bytes.length;
    byte[] trimmed = new byte[length];
    System.arraycopy(bytes, 0, trimmed, 0, length);
    return trimmed;
  }

  private static boolean isEscape(String s, int i) {
    char c = s.charAt(i);
    // A lone low surrogate in 0xDC80..0xDCFF: after a high surrogate it would be half of a valid
    // pair.
    return c >= 0xDC80 && c <= 0xDCFF && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)));
  }
}
