package dev.appliance.builder;

import dev.appliance.common.DaemonThreads;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * When a build's lock check ({@link CachedDebRepository#forLock}: which locked versions the mirror
 * dropped, to be served from the .deb cache) runs. It downloads and reads the suites' package
 * indexes: 1.3 s of a cold LAMP build before mmdebstrap started (issue 18).
 *
 * <p>When the .deb cache holds no file of any locked package, the check can only answer "none from
 * the cache" or fail (a version in neither place). Then it runs beside the first step, which starts
 * at once without the cached repository; the step's end waits for it, and its failure, which names
 * the versions and the command that refreshes the lock, replaces whatever the step failed with
 * (apt's own "version not found"). A failure while the step still runs stops it ({@link StepStop}):
 * pins of versions apt cannot find leave apt free to install others, so the step would otherwise
 * run to its end (20 s of a LAMP build) only to be reported as failed. Otherwise it runs when the
 * first step asks, before apt, as the repository must be mounted for it. A build whose layers all
 * come from the cache never runs it.
 */
final class LockedVersionsCheck {
  private final Supplier<CachedDebRepository> check;
  private final boolean cacheHoldsNone;
  private final StepStop stop;
  private CompletableFuture<CachedDebRepository> background;
  private CachedDebRepository repository;

  /**
   * @param check the check itself
   * @param cacheHoldsNone whether the .deb cache holds no file of a locked package
   * @param stop what stops the step running beside a check that failed
   */
  LockedVersionsCheck(Supplier<CachedDebRepository> check, boolean cacheHoldsNone, StepStop stop) {
    this.check = check;
    this.cacheHoldsNone = cacheHoldsNone;
    this.stop = stop;
  }

  /** No lock file: nothing to check. */
  static LockedVersionsCheck none() {
    return new LockedVersionsCheck(CachedDebRepository::none, false, new StepStop());
  }

  /** Before a step: starts the check in the background the first time, when it can run there. */
  synchronized void stepStarting() {
    if (cacheHoldsNone && background == null && repository == null) {
      // A thread of its own: on two cores the common pool has one, which the check's parallel
      // download of the suites' indexes needs.
      background =
          CompletableFuture.supplyAsync(
              check, task -> DaemonThreads.named("lock-check").newThread(task).start());
      background.whenComplete(
          (repository, failure) -> {
            if (failure != null) {
              stop.stop();
            }
          });
    }
  }

  /** The repository of cached locked versions a step's apt uses, checked now when needed. */
  synchronized CachedDebRepository repository() {
    if (background != null) {
      return CachedDebRepository.none();
    }
    if (repository == null) {
      repository = check.get();
    }
    return repository;
  }

  /** After a step: waits for a background check and throws its failure. */
  void stepFinished() {
    CompletableFuture<CachedDebRepository> running;
    synchronized (this) {
      running = background;
    }
    if (running == null) {
      return;
    }
    CachedDebRepository result;
    try {
      result = running.join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof RuntimeException r ? r : e;
    }
    if (!result.isEmpty()) {
      throw new IllegalStateException(
          "the lock check found cached versions in a .deb cache that held none: "
              + result.describe());
    }
  }

  /** What a failed step reports: the background check's failure when it has one. */
  RuntimeException stepFailed(RuntimeException failure) {
    try {
      stepFinished();
    } catch (RuntimeException checkFailure) {
      checkFailure.addSuppressed(failure);
      return checkFailure;
    }
    return failure;
  }
}
