package dev.appliance.cli;

import dev.appliance.common.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parses {@code --param k=v}, {@code --param-file k=FILE} and {@code --secret k=@FILE|k=-} values.
 */
final class RunInputs {
  /** A secret larger than this is a mistake (a wrong file), not a password or key. */
  private static final int MAX_SECRET_BYTES = 1 << 20;

  /** Room for a large rules file or configuration; the config disk grows to hold it. */
  static final long MAX_PARAM_FILE_BYTES = 64L << 20;

  private RunInputs() {}

  static Map<String, String> params(List<String> values) {
    return params(values, List.of());
  }

  /**
   * Parameters from {@code NAME=VALUE} values and from {@code NAME=FILE} files, whose whole content
   * (UTF-8 text, verbatim) is the value: a rules file or a configuration snippet that does not
   * belong on a command line. A name given twice, by either option, is an error.
   */
  static Map<String, String> params(List<String> values, List<String> files) {
    Map<String, String> params = new LinkedHashMap<>();
    for (String value : values) {
      int eq = value.indexOf('=');
      if (eq <= 0) {
        throw new InvalidInputException("--param " + value + ": expected NAME=VALUE");
      }
      if (params.put(value.substring(0, eq), value.substring(eq + 1)) != null) {
        throw new InvalidInputException("--param " + value.substring(0, eq) + " is given twice");
      }
    }
    for (String value : files) {
      int eq = value.indexOf('=');
      if (eq <= 0 || eq == value.length() - 1) {
        throw new InvalidInputException("--param-file " + value + ": expected NAME=FILE");
      }
      String name = value.substring(0, eq);
      if (params.containsKey(name)) {
        throw new InvalidInputException("--param-file " + name + ": the parameter is given twice");
      }
      params.put(name, readParamFile(name, Path.of(value.substring(eq + 1))));
    }
    return params;
  }

  private static String readParamFile(String name, Path file) {
    String where = "--param-file " + name + "=" + file;
    if (!Files.isRegularFile(file)) {
      throw new InvalidInputException(where + ": no such file");
    }
    try {
      if (Files.size(file) > MAX_PARAM_FILE_BYTES) {
        throw new InvalidInputException(
            where + ": larger than " + (MAX_PARAM_FILE_BYTES >> 20) + " MiB");
      }
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (java.nio.charset.CharacterCodingException e) {
      throw new InvalidInputException(where + ": not UTF-8 text", e);
    } catch (IOException e) {
      throw new InvalidInputException(where + ": cannot read it: " + e.getMessage(), e);
    }
  }

  /**
   * Reads secrets: {@code NAME=@FILE} from a file, {@code NAME=-} from standard input (one secret
   * at most). A value on the command line is refused: every user of the host could read it.
   */
  static Map<String, byte[]> secrets(List<String> values, InputStream stdin) {
    Map<String, byte[]> secrets = new LinkedHashMap<>();
    boolean stdinUsed = false;
    for (String value : values) {
      int eq = value.indexOf('=');
      String name = eq <= 0 ? "" : value.substring(0, eq);
      String source = eq <= 0 ? "" : value.substring(eq + 1);
      if (name.isEmpty() || !(source.equals("-") || source.startsWith("@"))) {
        throw new InvalidInputException(
            "--secret "
                + (name.isEmpty() ? value : name + "=...")
                + ": expected NAME=@FILE or NAME=- (standard input); a value on the command line would be"
                + " visible to every user of this host");
      }
      if (secrets.containsKey(name)) {
        throw new InvalidInputException("--secret " + name + " is given twice");
      }
      try {
        byte[] content;
        if (source.equals("-")) {
          if (stdinUsed) {
            throw new InvalidInputException(
                "--secret " + name + "=-: standard input is already used by another secret");
          }
          stdinUsed = true;
          content = stdin.readNBytes(MAX_SECRET_BYTES + 1);
        } else {
          Path file = Path.of(source.substring(1));
          if (!Files.isRegularFile(file)) {
            throw new InvalidInputException("--secret " + name + "=@" + file + ": no such file");
          }
          content = Files.readAllBytes(file);
        }
        if (content.length > MAX_SECRET_BYTES) {
          throw new InvalidInputException("--secret " + name + ": larger than 1 MiB");
        }
        secrets.put(name, stripNewline(content));
      } catch (IOException e) {
        throw new InvalidInputException(
            "--secret " + name + ": cannot read it: " + e.getMessage(), e);
      }
    }
    return secrets;
  }

  /**
   * `echo pw | appliance run --secret k=-` and files from editors end with a newline nobody means.
   */
  private static byte[] stripNewline(byte[] content) {
    int end = content.length;
    if (end > 0 && content[end - 1] == '\n') {
      end--;
      if (end > 0 && content[end - 1] == '\r') {
        end--;
      }
    }
    return java.util.Arrays.copyOf(content, end);
  }
}
