package dev.appliance.runtime.instance;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Stops an instance: the guest powers off, or after a timeout everything of it is killed. */
final class InstanceStopper {
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
      supervisor.get().destroy(); // SIGTERM: the supervisor powers the guest off
      try {
        supervisor.get().onExit().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
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
                  ? "killed: the guest did not power off within " + timeout.toSeconds() + " s"
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
