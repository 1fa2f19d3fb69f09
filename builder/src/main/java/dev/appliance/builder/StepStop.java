package dev.appliance.builder;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Stops the process a build step is running (mmdebstrap) from another thread: when the lock check
 * running beside the base step fails (a stale lock in an empty .deb cache, {@link
 * LockedVersionsCheck}), the build reports it at once instead of after the whole step. The step's
 * own failure path then cleans up as for any failed step.
 */
final class StepStop {
  /** How long a stopped step may take to clean up (mmdebstrap unmounts) before it is killed. */
  private static final long GRACE_SECONDS = 20;

  private Process running;
  private boolean stopped;

  /** The step's process has started: stopped at once when {@link #stop} came first. */
  synchronized void started(Process process) {
    running = process;
    if (stopped) {
      terminate(process);
    }
  }

  /** The step's process has ended. */
  synchronized void ended() {
    running = null;
  }

  /** Stops the running process and any the step starts after this. */
  synchronized void stop() {
    stopped = true;
    if (running != null) {
      terminate(running);
    }
  }

  /**
   * SIGTERM to the process and to what it runs (apt, dpkg, maintainer scripts): mmdebstrap unmounts
   * and exits when the command it waits for fails. Its children are listed first, while they are
   * still its descendants. One it starts after that is not signalled: mmdebstrap acts on its own
   * signal once that child ends, and is killed with what was listed after {@link #GRACE_SECONDS}.
   */
  private static void terminate(Process process) {
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    children.forEach(ProcessHandle::destroy);
    CompletableFuture.delayedExecutor(GRACE_SECONDS, TimeUnit.SECONDS)
        .execute(
            () -> {
              children.forEach(ProcessHandle::destroyForcibly);
              process.destroyForcibly();
            });
  }
}
