package dev.appliance.recipe;

import com.fasterxml.jackson.core.JsonLocation;
import dev.appliance.common.InvalidInputException;
import java.nio.file.Path;

/** Formats recipe errors as {@code FILE:LINE:COLUMN: message}, then an optional hint line. */
final class RecipeErrors {
  private RecipeErrors() {}

  static InvalidInputException at(Path file, JsonLocation at, String message, String hint) {
    StringBuilder text = new StringBuilder().append(file);
    if (at != null && at.getLineNr() > 0) {
      text.append(':').append(at.getLineNr()).append(':').append(at.getColumnNr());
    }
    text.append(": ").append(message);
    if (hint != null) {
      text.append(System.lineSeparator()).append("  hint: ").append(hint);
    }
    return new InvalidInputException(text.toString());
  }
}
