package dev.appliance.recipe;

import com.fasterxml.jackson.core.JsonLocation;
import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.MetadataRules;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns {@link Scalar}s into typed values for one recipe file, or fails with an error naming the
 * key, the value and where it is. {@code key} arguments are the key path as the user would find it,
 * e.g. {@code ports[1].port}.
 */
final class ScalarChecks {
  private static final Pattern MODE = Pattern.compile("(?:0o?)?([0-7]{3,4})");

  private final Path file;

  ScalarChecks(Path file) {
    this.file = file;
  }

  InvalidInputException error(JsonLocation at, String message, String hint) {
    return RecipeErrors.at(file, at, message, hint);
  }

  InvalidInputException error(Scalar value, String key, String message, String hint) {
    return error(value.at(), key + ": " + message, hint);
  }

  InvalidInputException error(
      Scalar value, String key, String message, String hint, RecipeRemedy remedy) {
    return RecipeErrors.at(file, value.at(), key + ": " + message, hint, remedy);
  }

  /**
   * The value of a key that must be present; {@code key} is its full path, e.g. {@code
   * ports[0].port}.
   */
  Scalar required(Located owner, Scalar value, String key) {
    if (value == null) {
      int dot = key.lastIndexOf('.');
      String mapping = dot < 0 ? "" : key.substring(0, dot) + ": ";
      throw error(
          owner.at, mapping + "missing required key '" + key.substring(dot + 1) + "'", null);
    }
    return value;
  }

  /**
   * The scalar's text as written. YAML types do not matter for text keys: the text is kept exactly,
   * so {@code version: 1.10} stays "1.10".
   */
  String text(Scalar value, String key) {
    if (value.text().isBlank()) {
      throw error(value, key, "must not be empty", null);
    }
    return value.text();
  }

  String text(Scalar value, String key, String fallback) {
    return value == null ? fallback : text(value, key);
  }

  String matching(Scalar value, String key, Pattern pattern, String expected) {
    String text = text(value, key);
    if (!pattern.matcher(text).matches()) {
      throw error(value, key, "'" + text + "' is not " + expected, null);
    }
    return text;
  }

  String matching(Scalar value, String key, MetadataRules.Text rule) {
    String text = text(value, key);
    if (!rule.accepts(text)) {
      throw error(value, key, "'" + text + "' is not " + rule.expected(), null);
    }
    return text;
  }

  String oneOf(Scalar value, String key, List<String> allowed) {
    String text = text(value, key);
    if (!allowed.contains(text)) {
      String suggestion = Suggestions.closest(text, allowed);
      throw error(
          value,
          key,
          "'" + text + "' is not one of " + String.join(", ", allowed),
          suggestion == null ? null : "did you mean '" + suggestion + "'?");
    }
    return text;
  }

  long integer(Scalar value, String key, long min, long max) {
    if (value.kind() != Scalar.Kind.INTEGER) {
      throw error(value, key, "expected a whole number, found " + describe(value), null);
    }
    if (value.integer() == null || value.integer() < min || value.integer() > max) {
      throw error(value, key, value.text() + " is out of range (" + min + "-" + max + ")", null);
    }
    return value.integer();
  }

  int integer(Scalar value, String key, MetadataRules.Range range, int fallback) {
    return value == null ? fallback : (int) integer(value, key, range.min(), range.max());
  }

  Integer optionalInteger(Scalar value, String key, int min, int max) {
    return value == null ? null : (int) integer(value, key, min, max);
  }

  int port(Scalar value, String key) {
    MetadataRules.Range port = MetadataRules.PORT;
    if (value.kind() == Scalar.Kind.INTEGER
        && value.integer() != null
        && !port.contains(value.integer())) {
      throw error(
          value,
          key,
          value.text() + " is not a port number (" + port.min() + "-" + port.max() + ")",
          null);
    }
    return (int) integer(value, key, port.min(), port.max());
  }

  boolean bool(Scalar value, String key, boolean fallback) {
    if (value == null) {
      return fallback;
    }
    if (value.kind() != Scalar.Kind.BOOLEAN) {
      throw error(value, key, "expected true or false, found " + describe(value), null);
    }
    return Boolean.parseBoolean(value.text())
        || List.of("yes", "on", "y").contains(value.text().toLowerCase(Locale.ROOT));
  }

  /**
   * A size in {@link MetadataRules#parseSize}'s syntax, e.g. 512M or 2G, within {@code range} and a
   * whole number of MiB.
   *
   * @return bytes
   */
  long size(Scalar value, String key, MetadataRules.Range range) {
    String text = value.text().trim();
    long bytes;
    try {
      bytes = MetadataRules.parseSize(text);
    } catch (MetadataRules.BadSize e) {
      throw error(value, key, e.getMessage(), e.hint());
    }
    if (!range.contains(bytes)) {
      throw error(
          value,
          key,
          "'" + text + "' is out of range (" + MetadataRules.humanRange(range) + ")",
          null);
    }
    if (bytes % (1L << 20) != 0) {
      throw error(value, key, "'" + text + "' is not a whole number of MiB", null);
    }
    return bytes;
  }

  /**
   * Permission bits written in octal, quoted or not: 0644, "0644", 644, "0o644"; setuid etc.
   * allowed.
   */
  int mode(Scalar value, String key, int fallback) {
    if (value == null) {
      return fallback;
    }
    Matcher m = MODE.matcher(value.text());
    if (value.kind() == Scalar.Kind.BOOLEAN || value.kind() == Scalar.Kind.FLOAT || !m.matches()) {
      throw error(
          value,
          key,
          "'" + value.text() + "' is not a file mode",
          "write octal permission bits, e.g. \"0644\" or \"0755\"");
    }
    return Integer.parseInt(m.group(1), 8);
  }

  private static String describe(Scalar value) {
    return switch (value.kind()) {
      case TEXT -> "the text '" + value.text() + "'";
      case INTEGER, FLOAT -> "the number " + value.text();
      case BOOLEAN -> "the boolean " + value.text();
    };
  }
}
