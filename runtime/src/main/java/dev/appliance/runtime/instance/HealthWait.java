package dev.appliance.runtime.instance;

import dev.appliance.common.ApplianceException;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/** Waits for an instance's health check, relaying its supervisor's events as progress. */
final class HealthWait {
  /** How often the supervisor's status file is read (a small JSON file). */
  static final long POLL_MS = 50;

  private HealthWait() {}

  /**
   * @throws ApplianceException when it fails, stops, or is not healthy in time; the message ends
   *     with the console's last lines
   */
  static InstanceInfo awaitUp(InstanceDir dir, Duration timeout, Consumer<String> progress) {
    String name = dir.name();
    long deadline = System.nanoTime() + timeout.toNanos();
    int shown = dir.status().events().size();
    while (true) {
      InstanceStatus status = dir.status();
      List<String> events = status.events();
      for (int i = Math.min(shown, events.size()); i < events.size(); i++) {
        progress.accept(events.get(i));
      }
      shown = events.size();
      if (status.state() == InstanceStatus.State.RUNNING && status.healthy()) {
        return InstanceInfos.read(dir);
      }
      if (!status.state().active()) {
        throw failure(
            dir,
            name
                + " "
                + status.state().id()
                + (status.message() == null ? "" : ": " + status.message()));
      }
      boolean alive =
          ProcessHandle.of(status.supervisorPid()).map(ProcessHandle::isAlive).orElse(false);
      if (!alive) {
        throw failure(
            dir, name + ": its supervisor ended unexpectedly; see " + dir.supervisorLog());
      }
      if (System.nanoTime() > deadline) {
        throw failure(
            dir,
            name
                + " did not become healthy within "
                + timeout.toSeconds()
                + " s"
                + (status.engine() == null ? "" : " on " + status.engine())
                + (status.message() == null ? "" : " (" + status.message() + ")"));
      }
      // Reading status.json is cheap; every poll interval is added to `run`'s time to healthy.
      Pause.millis(POLL_MS);
    }
  }

  /** The image's health-check timeout, or five minutes. */
  static Duration defaultTimeout(InstanceSpec spec) {
    return Duration.ofSeconds(
        spec.health() != null && spec.health().timeoutSeconds() > 0
            ? spec.health().timeoutSeconds()
            : 300);
  }

  private static ApplianceException failure(InstanceDir dir, String message) {
    return new ApplianceException(message + ConsoleLog.tail(dir));
  }
}
