package dev.appliance.cli;

import dev.appliance.builder.ImageDiff;

/** How {@code diff} and {@code verify --rebuild} print one differing path. */
final class ChangeLines {
  private ChangeLines() {}

  /** "+ PATH" only in the second, "- PATH" only in the first, "M PATH (what)" changed. */
  static String format(ImageDiff.Change c) {
    String mark =
        switch (c.change()) {
          case "added" -> "+";
          case "removed" -> "-";
          default -> "M";
        };
    return mark
        + " "
        + c.path()
        + (c.what().isEmpty() ? "" : "  (" + String.join(", ", c.what()) + ")");
  }
}
