package dev.appliance.recipe;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.JsonMappingException;

/**
 * A problem found while binding YAML, thrown from inside Jackson so that Jackson adds the key path
 * on the way out; {@link YamlRecipeReader} turns it into an {@link
 * dev.appliance.common.InvalidInputException}.
 */
final class RecipeProblem extends JsonMappingException {
  private final String hint;

  RecipeProblem(JsonLocation at, String message, String hint) {
    super(null, message, at);
    this.hint = hint;
  }

  /** What the user could do about it, or null. */
  String hint() {
    return hint;
  }
}
