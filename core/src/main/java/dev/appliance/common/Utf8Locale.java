package dev.appliance.common;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Makes the JVM speak UTF-8 to the kernel whatever the caller's locale. Java converts file names,
 * arguments and environment values with the charset of the locale it starts under ({@code
 * sun.jnu.encoding}, which cannot be set with {@code -D}); without a UTF-8 locale (cron, systemd
 * units, {@code env -i}, many CI runners) that is ASCII and every other character becomes '?' or
 * U+FFFD. So the program re-runs itself once under {@code LC_ALL=C.UTF-8}, present on every Debian.
 *
 * <p>The re-run gets its arguments through {@link #ARGUMENTS} (hex of the original bytes), because
 * this JVM cannot pass non-ASCII arguments on its command line. The variable names this process's
 * pid, so that no later process (a supervisor, the user-namespace re-run) mistakes it for its own.
 */
public final class Utf8Locale {
  static final String ARGUMENTS = "APPLIANCE_UTF8_ARGUMENTS";

  /** Present on every Debian (package libc-bin). */
  public static final String LOCALE = "C.UTF-8";

  private Utf8Locale() {}

  /** Whether this JVM converts file names and arguments as UTF-8. */
  public static boolean active() {
    return "UTF-8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding"))
        || "UTF8".equalsIgnoreCase(System.getProperty("sun.jnu.encoding"));
  }

  /**
   * Re-runs this process under a UTF-8 locale when it does not have one.
   *
   * @param argumentCount how many of the command line's last words are the program's arguments
   * @return the re-run's exit code, or empty when this process should go on itself
   */
  public static OptionalInt rerunIfNeeded(int argumentCount) {
    if (active() || System.getenv(ARGUMENTS) != null) {
      return OptionalInt.empty();
    }
    List<byte[]> words = Rerun.commandLineBytes();
    if (words.size() < argumentCount + 1) {
      return OptionalInt.empty();
    }
    List<byte[]> jvm = words.subList(0, words.size() - argumentCount);
    if (jvm.stream().anyMatch(Utf8Locale::notAscii)) {
      // java or the jar under a non-ASCII path: this JVM cannot name them to a new one.
      // Go on: file names in layers and disks are handled as bytes anyway.
      return OptionalInt.empty();
    }
    List<String> command = new ArrayList<>();
    jvm.forEach(w -> command.add(new String(w, StandardCharsets.US_ASCII)));
    List<byte[]> arguments = words.subList(words.size() - argumentCount, words.size());
    arguments.forEach(
        w -> command.add(notAscii(w) ? "-" : new String(w, StandardCharsets.US_ASCII)));
    return OptionalInt.of(
        Rerun.run(
            List.of(),
            command,
            Map.of(
                "LC_ALL",
                LOCALE,
                ARGUMENTS,
                ProcessHandle.current().pid() + ":" + arguments.size() + ":" + hex(arguments))));
  }

  /** The program's arguments: {@code given}, or in a re-run process the original ones. */
  public static String[] arguments(String[] given) {
    String variable = System.getenv(ARGUMENTS);
    if (variable == null) {
      // The usual case; looking up the parent costs ProcessHandle's start-up (tens of ms).
      return given;
    }
    return arguments(
        given, variable, ProcessHandle.current().parent().map(ProcessHandle::pid).orElse(-1L));
  }

  static String[] arguments(String[] given, String variable, long parentPid) {
    if (variable == null || !variable.startsWith(parentPid + ":")) {
      return given;
    }
    // PID:COUNT:HEX,HEX,...: the count tells no arguments from one empty one.
    String[] fields = variable.split(":", 3);
    int count = Integer.parseInt(fields[1]);
    String[] words = count == 0 ? new String[0] : fields[2].split(",", -1);
    String[] result = new String[count];
    for (int i = 0; i < words.length; i++) {
      result[i] = FileNames.decode(HexFormat.of().parseHex(words[i]));
    }
    return result;
  }

  private static String hex(List<byte[]> words) {
    return String.join(",", words.stream().map(w -> HexFormat.of().formatHex(w)).toList());
  }

  private static boolean notAscii(byte[] word) {
    for (byte b : word) {
      if (b < 0) {
        return true;
      }
    }
    return false;
  }
}
