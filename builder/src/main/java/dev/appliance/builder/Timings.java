package dev.appliance.builder;

import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import java.util.function.Supplier;

/** Stage durations of one build, reported to the listener as each stage ends. */
final class Timings {
  private final BuildListener listener;
  private final Map<String, Duration> all = new LinkedHashMap<>();

  Timings(BuildListener listener) {
    this.listener = listener;
  }

  <T> T time(String stage, Supplier<T> work) {
    return time(stage, work, result -> "");
  }

  /** As {@link #time(String, Supplier)}, reporting a detail made from the stage's result. */
  <T> T time(String stage, Supplier<T> work, Function<T, String> detail) {
    listener.stageStarted(stage);
    long start = System.nanoTime();
    T result = work.get();
    Duration d = Duration.ofNanos(System.nanoTime() - start);
    synchronized (all) {
      all.merge(stage, d, Duration::plus);
    }
    listener.stageFinished(stage, d, detail.apply(result));
    return result;
  }

  Map<String, Duration> all() {
    synchronized (all) {
      return Collections.unmodifiableMap(new LinkedHashMap<>(all));
    }
  }
}
