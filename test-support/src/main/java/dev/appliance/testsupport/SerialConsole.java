package dev.appliance.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BooleanSupplier;

/**
 * A guest's serial console written to {@code file} by QEMU, read as ISO-8859-1 (a console carries
 * any byte; every byte stays one character, so indexes stay stable while it grows).
 */
public record SerialConsole(Path file) {

  /** Everything on the console so far, empty before QEMU made the file. */
  public String text() {
    try {
      return Files.exists(file) ? Files.readString(file, StandardCharsets.ISO_8859_1) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The last {@code lines} lines, for failure messages. */
  public String tail(int lines) {
    if (!Files.exists(file)) {
      return "(no console output)";
    }
    List<String> all = text().lines().toList();
    return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
  }

  /**
   * Waits until the console, from character {@code from} on, contains {@code text}; returns the
   * index where it starts. Fails with the console's tail when the guest no longer {@code runs} or
   * after {@code timeout} (a guard against hangs, not a speed claim).
   */
  public int await(String text, int from, Duration timeout, BooleanSupplier runs)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline && runs.getAsBoolean()) {
      int at = text().indexOf(text, from);
      if (at >= 0) {
        return at;
      }
      Thread.sleep(1000);
    }
    // A last look: the line may have come with QEMU's end.
    int at = text().indexOf(text, from);
    if (at >= 0) {
      return at;
    }
    throw new AssertionError(
        (runs.getAsBoolean() ? "" : "QEMU ended; ")
            + "the console never said '"
            + text
            + "' within "
            + timeout.toSeconds()
            + " s; it ends with:\n"
            + tail(40));
  }
}
