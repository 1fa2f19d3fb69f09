package dev.appliance.runtime.instance;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Stops an instance: the guest powers off, or after a timeout everything of it is killed. */
final class InstanceStopper {
  /** How long past the grace a supervisor may take to kill its engine and record the stop. */
  static final Duration RECORD_MARGIN = Duration.ofSeconds(15);

  private InstanceStopper() {}

  /** Returns when no process of the instance is left. */
  static void stop(InstanceDir dir, Duration timeout) {
    InstanceStatus status = dir.status();
    Optional<ProcessHandle> supervisor =
        InstanceProcesses.isOurs(status.supervisorPid(), dir.path())
            ? ProcessHandle.of(status.supervisorPid())
            : Optional.empty();
    boolean forced = false;
    if (supervisor.isPresent()) {
      dir.writeStopGrace(timeout);
      supervisor.get().destroy(); // SIGTERM: the supervisor powers the guest off
      try {
        // It kills the guest itself once the grace is over; the margin lets it record that.
        supervisor
            .get()
            .onExit()
            .get(timeout.plus(RECORD_MARGIN).toMillis(), TimeUnit.MILLISECONDS);
      } catch (Exception e) {
        forced = true;
      }
    }
    InstanceProcesses.killAll(dir.path());
    InstanceStatus after = dir.status();
    if (after.state().active() || forced) {
      dir.writeStatus(
          after.with(
              InstanceStatus.State.STOPPED,
              forced
                  ? "killed: the guest did not power off within "
                      + timeout.plus(RECORD_MARGIN).toSeconds()
                      + " s"
                  : supervisor.isPresent()
                      ? "stopped"
                      : "its supervisor had ended; leftovers cleaned up"));
    }
  }

  /** Whether the instance's supervisor is alive in an active state. */
  static boolean running(InstanceDir dir) {
    InstanceStatus status = dir.status();
    return status.state().active() && InstanceProcesses.isOurs(status.supervisorPid(), dir.path());
  }
}
