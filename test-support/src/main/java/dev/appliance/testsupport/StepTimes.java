package dev.appliance.testsupport;

import java.util.ArrayList;
import java.util.List;

/**
 * The wall time of each step of a long test, printed on stderr as it ends ("NAME: STEP after N s, M
 * s in all") and once more as a table when the test is done, so that a run's log shows where the
 * time went and what a change saved.
 */
public final class StepTimes {
  private final String name;
  private final long start = System.nanoTime();
  private long last = start;
  private final List<String> steps = new ArrayList<>();

  public StepTimes(String name) {
    this.name = name;
  }

  /** Ends the step that began at the previous mark (or at construction). */
  public void mark(String step) {
    long now = System.nanoTime();
    String line =
        String.format("%-48s %5d s %6d s", step, seconds(now - last), seconds(now - start));
    last = now;
    steps.add(line);
    System.err.println(name + ": " + step + " after " + seconds(now - start) + " s in all");
  }

  /** Prints every step so far: its time, and the time since the start. */
  public void print() {
    StringBuilder table = new StringBuilder(name + ": steps (step, in all)\n");
    steps.forEach(s -> table.append("  ").append(s).append('\n'));
    System.err.print(table);
  }

  private static long seconds(long nanos) {
    return nanos / 1_000_000_000L;
  }
}
