package dev.appliance.builder;

import java.time.Duration;

/** Where a build reports its progress (the CLI prints it on stderr). */
public interface BuildListener {
  /** A stage begins, e.g. "base layer (mmdebstrap trixie)". */
  default void stageStarted(String stage) {}

  /** A stage ended after {@code duration}. */
  default void stageFinished(String stage, Duration duration, String detail) {}

  /** Progress within a stage; {@code total} is -1 when unknown. */
  default void progress(String what, long done, long total) {}

  /** A line of tool output (mmdebstrap, apt, run steps). */
  default void log(String line) {}

  static BuildListener silent() {
    return new BuildListener() {};
  }
}
