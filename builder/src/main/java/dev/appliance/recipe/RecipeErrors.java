package dev.appliance.recipe;

import com.fasterxml.jackson.core.JsonLocation;
import dev.appliance.common.InvalidInputException;
import dev.appliance.common.Remedy;
import java.nio.file.Path;

/** Formats recipe errors as {@code FILE:LINE:COLUMN: message}, then an optional hint line. */
final class RecipeErrors {
  private RecipeErrors() {}

  static InvalidInputException at(Path file, JsonLocation at, String message, String hint) {
    return at(file, at, message, hint, null);
  }

  /** As above; {@code remedy} (may be null) is what a front end adds to the hint in its terms. */
  static InvalidInputException at(
      Path file, JsonLocation at, String message, String hint, Remedy remedy) {
    StringBuilder text = new StringBuilder().append(file);
    if (at != null && at.getLineNr() > 0) {
      text.append(':').append(at.getLineNr()).append(':').append(at.getColumnNr());
    }
    text.append(": ").append(message);
    if (hint != null) {
      text.append(System.lineSeparator()).append("  hint: ").append(hint);
    }
    return new InvalidInputException(text.toString(), remedy);
  }
}
