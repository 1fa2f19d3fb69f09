package dev.appliance.recipe;

import com.fasterxml.jackson.core.JsonLocation;

/**
 * One YAML scalar exactly as written, with its YAML type and position. Binding stops at scalars:
 * which type a key accepts is decided per key by {@link ScalarChecks}, so every message can name
 * the key and the value.
 *
 * @param text the scalar's text as written (quotes removed), never null
 * @param integer the value when {@code kind} is INTEGER and it fits a long, else null
 */
record Scalar(String text, Kind kind, Long integer, JsonLocation at) {

  enum Kind {
    TEXT("text"),
    INTEGER("a number"),
    FLOAT("a decimal number"),
    BOOLEAN("true/false");

    final String description;

    Kind(String description) {
      this.description = description;
    }
  }
}
