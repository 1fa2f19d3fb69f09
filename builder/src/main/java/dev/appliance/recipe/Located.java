package dev.appliance.recipe;

import com.fasterxml.jackson.core.JsonLocation;

/**
 * A YAML mapping bound from a recipe, remembering where it starts so that checks made after binding
 * (missing keys, cross-references) can still name a line. {@link YamlRecipeReader} fills {@link
 * #at} while binding.
 */
abstract class Located {
  // Deliberately not a bean property: a key "at" in a recipe is still unknown.
  JsonLocation at;
}
