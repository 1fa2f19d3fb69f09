package dev.appliance.cli;

/**
 * A text progress bar, "[===== ] 1.2 MB / 4.5 MB", as push, pull and build draw it on a terminal.
 */
final class ProgressBar {
  static final int WIDTH = 30;

  private ProgressBar() {}

  /** The bar alone; full when {@code total} is 0. */
  static String bar(long done, long total, int width) {
    int filled = total <= 0 ? width : (int) Math.min(width, Math.max(0, done) * width / total);
    return "[" + "=".repeat(filled) + " ".repeat(width - filled) + "]";
  }

  /** The bar with the amounts; just the amount done when the total is unknown. */
  static String of(long done, long total, int width) {
    if (total < 0) {
      return Sizes.human(done);
    }
    return bar(done, total, width) + " " + Sizes.human(done) + " / " + Sizes.human(total);
  }
}
