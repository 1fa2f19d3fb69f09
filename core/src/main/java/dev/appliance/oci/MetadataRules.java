package dev.appliance.oci;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The rules every appliance metadata value obeys, wherever it comes from: a recipe (the builder
 * applies them and reports file, line and column) or the labels of an image (applied by {@link
 * MetadataValidator} when the labels are read). One rule set, so an image can never carry what a
 * recipe could not say.
 */
public final class MetadataRules {
  private static final long MIB = 1L << 20;

  /** Text of a given shape; {@code expected} completes "'x' is not ...". */
  public record Text(Predicate<String> test, String expected) {
    static Text matching(String regex, String expected) {
      Pattern pattern = Pattern.compile(regex);
      return new Text(text -> pattern.matcher(text).matches(), expected);
    }

    public boolean accepts(String text) {
      return text != null && test.test(text);
    }
  }

  /** Whole numbers from {@code min} to {@code max}, both included. */
  public record Range(long min, long max) {
    public boolean contains(long value) {
      return value >= min && value <= max;
    }
  }

  // An OCI repository path component and an OCI tag: the image is NAME:VERSION.
  public static final Text NAME =
      Text.matching(
          "(?=.{1,128}\\z)[a-z0-9]+(?:[._-][a-z0-9]+)*",
          "a valid image name (lowercase letters and digits, separated by '.', '_' or '-'; at most 128)");
  public static final Text VERSION =
      Text.matching(
          "[A-Za-z0-9_][A-Za-z0-9._-]{0,127}",
          "a valid image tag (letters, digits, '.', '_', '-'; at most 128)");
  public static final Text PORT_NAME =
      Text.matching(
          "[a-z][a-z0-9-]{0,14}", "a port name (lowercase letters, digits, '-'; at most 15)");

  /** Also a file name on the config disk: no '/', no '.', never empty. */
  public static final Text PARAM_NAME =
      Text.matching(
          "[a-z][a-z0-9_]{0,62}", "a parameter name (lowercase letters, digits, '_'; at most 63)");

  /**
   * Sent in an HTTP request line: printable ASCII without spaces, so nothing can start a new
   * header.
   */
  public static final Text HEALTH_PATH =
      Text.matching(
          "/[\\x21-\\x7e]{0,1023}",
          "an HTTP path ('/' then printable ASCII without spaces; at most 1024)");

  /**
   * Shown by inspect and validate on a terminal: no control characters but line breaks and tabs.
   */
  public static final Text DESCRIPTION =
      new Text(
          text ->
              text.length() <= 1024
                  && text.codePoints()
                      .allMatch(c -> c == '\n' || c == '\t' || !isUnsafeCharacter(c)),
          "a description (at most 1024 characters; no control characters other than line breaks and tabs)");

  public static final List<String> PROTOCOLS = List.of("tcp", "udp");
  public static final List<String> NETWORK_ROLES = List.of("capture");

  /** Extra network interfaces an appliance may declare (UML names them vec1..vec4). */
  public static final int MAX_NETWORKS = 4;

  /**
   * Also a file name (the guest's network configuration) and a guest interface name: at most 15
   * characters, not vec/eth/en prefixed so it never takes an engine's own name.
   */
  public static final Text NETWORK_NAME =
      Text.matching(
          "(?!vec|eth|en|lo\\z)[a-z][a-z0-9-]{0,14}",
          "a network name (lowercase letters, digits, '-'; at most 15; not starting with vec, eth"
              + " or en)");

  public static final List<String> HEALTH_TYPES = List.of("http", "tcp");

  public static final Range PORT = new Range(1, 65535);
  public static final Range CPUS = new Range(1, 64);
  public static final Range MEMORY_BYTES = new Range(64 * MIB, 1L << 40);
  public static final Range DISK_BYTES = new Range(64 * MIB, 16L << 40);
  public static final Range HEALTH_TIMEOUT_SECONDS = new Range(1, 3600);
  public static final Range HEALTH_STATUS = new Range(100, 599);

  /** A parameter's default travels to the config disk as a file: bounded like a small file. */
  public static final int MAX_DEFAULT_LENGTH = 1 << 20;

  /** Ports and parameters an appliance may declare: far more than any recipe needs. */
  public static final int MAX_LIST_SIZE = 256;

  private static final int MAX_PATH_LENGTH = 4096;
  public static final String IMAGE_PATH_EXPECTED =
      "an absolute, normalized file path inside the image";

  private static final Pattern SIZE = Pattern.compile("([0-9]+)([A-Za-z]*)");
  private static final Pattern FRACTION = Pattern.compile("[0-9]*\\.[0-9]+[A-Za-z]*");
  public static final String SIZE_EXAMPLE =
      "write a whole number and K, M, G or T (binary units), e.g. 512M or 2G";

  private MetadataRules() {}

  /** A size that cannot be read; {@link #hint()} says how to write one. */
  public static final class BadSize extends IllegalArgumentException {
    private final String hint;

    BadSize(String message, String hint) {
      super(message);
      this.hint = hint;
    }

    public String hint() {
      return hint;
    }
  }

  /**
   * A size as recipes and command-line options write it: a whole number and a binary unit K, M, G
   * or T (1G = 1024M). No fractions and no bare numbers: "1.5G" and "1024" are both ambiguous.
   *
   * @return bytes; {@link Long#MAX_VALUE} when larger, for the caller's range check
   * @throws BadSize naming the text and the problem
   */
  public static long parseSize(String text) {
    String quoted = quote(text);
    if (FRACTION.matcher(text).matches()) {
      throw new BadSize(
          quoted + " is not a size: no fractions",
          "use a smaller unit, e.g. 1536M instead of 1.5G");
    }
    Matcher m = SIZE.matcher(text);
    if (!m.matches()) {
      throw new BadSize(quoted + " is not a size", SIZE_EXAMPLE);
    }
    int shift =
        switch (m.group(2)) {
          case "K" -> 10;
          case "M" -> 20;
          case "G" -> 30;
          case "T" -> 40;
          case "" -> throw new BadSize(quoted + " has no unit", SIZE_EXAMPLE);
          default ->
              throw new BadSize(quoted + " has an unknown unit " + quote(m.group(2)), SIZE_EXAMPLE);
        };
    try {
      return Math.multiplyExact(Long.parseLong(m.group(1)), 1L << shift);
    } catch (ArithmeticException | NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  /**
   * An absolute, normalized path of a file inside the image: not "/", no trailing '/', no "." or
   * ".." component, no control characters, at most 4096 characters.
   */
  public static boolean isImagePath(String text) {
    return text != null
        && text.startsWith("/")
        && !text.equals("/")
        && !text.endsWith("/")
        && text.length() <= MAX_PATH_LENGTH
        && text.codePoints().noneMatch(MetadataRules::isUnsafeCharacter)
        && Path.of(text).normalize().toString().equals(text)
        && !text.contains("/../")
        && !text.contains("//");
  }

  /**
   * Control characters (C0, DEL, C1) and the invisible format characters that reorder or hide text
   * on a terminal (bidirectional overrides, line and paragraph separators).
   */
  static boolean isUnsafeCharacter(int c) {
    int type = Character.getType(c);
    return type == Character.CONTROL
        || type == Character.FORMAT
        || type == Character.LINE_SEPARATOR
        || type == Character.PARAGRAPH_SEPARATOR;
  }

  /**
   * A value for an error message: quoted, shortened, control characters shown as escapes so a
   * hostile label cannot rewrite the user's terminal.
   */
  public static String quote(String value) {
    return value == null ? "null" : "'" + printable(value) + "'";
  }

  /** At most 80 characters of {@code text}, {@link #escaped}. */
  public static String printable(String text) {
    int cut =
        text.codePointCount(0, text.length()) > 80 ? text.offsetByCodePoints(0, 80) : text.length();
    return escaped(text.substring(0, cut)) + (cut < text.length() ? "..." : "");
  }

  /**
   * {@code text} with control and format characters as {@code \\uXXXX}: safe to show on a terminal.
   */
  public static String escaped(String text) {
    StringBuilder out = new StringBuilder();
    text.codePoints()
        .forEach(
            c -> {
              if (isUnsafeCharacter(c)) {
                out.append(String.format("\\u%04x", c));
              } else {
                out.appendCodePoint(c);
              }
            });
    return out.toString();
  }

  /** {@code 1073741824} as {@code 1G}; a size that is no whole number of KiB in bytes. */
  public static String human(long bytes) {
    String[] units = {"K", "M", "G", "T"};
    for (int i = units.length; i > 0; i--) {
      long unit = 1L << (10 * i);
      if (bytes % unit == 0) {
        return (bytes / unit) + units[i - 1];
      }
    }
    return bytes + " bytes";
  }

  /** "64M-1T" for a range of byte counts. */
  public static String humanRange(Range bytes) {
    return human(bytes.min()) + " to " + human(bytes.max());
  }
}
