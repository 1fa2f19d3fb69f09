package dev.appliance.builder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.InvalidInputException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

class LockedVersionsCheckTest {
  private final AtomicInteger runs = new AtomicInteger();
  private final CountDownLatch release = new CountDownLatch(1);
  private final StepStop stop = new StepStop();

  /** A check that counts its runs and, in the background, waits until released. */
  private Supplier<CachedDebRepository> check(RuntimeException failure) {
    return () -> {
      runs.incrementAndGet();
      try {
        assertTrue(release.await(30, TimeUnit.SECONDS), "released");
      } catch (InterruptedException e) {
        throw new IllegalStateException(e);
      }
      if (failure != null) {
        throw failure;
      }
      return CachedDebRepository.none();
    };
  }

  @Test
  void withNothingCachedAStepStartsAtOnceAndItsEndWaitsForTheCheck() throws Exception {
    LockedVersionsCheck check = new LockedVersionsCheck(check(null), true, stop);

    check.stepStarting();
    // The check is still running: the step's apt gets no cached repository, without waiting.
    assertTrue(check.repository().isEmpty());
    Thread finishing = new Thread(check::stepFinished);
    finishing.start();
    finishing.join(200);
    assertTrue(finishing.isAlive(), "the step's end waits for the check");
    release.countDown();
    finishing.join(30_000);

    check.stepStarting();
    check.stepFinished();
    assertEquals(1, runs.get(), "one check per build");
  }

  private final InvalidInputException missing =
      new InvalidInputException("pinned versions are gone");

  /** A check started beside a step, failing with {@link #missing}. */
  private LockedVersionsCheck failingInTheBackground() {
    LockedVersionsCheck check = new LockedVersionsCheck(check(missing), true, stop);
    check.stepStarting();
    release.countDown();
    return check;
  }

  @Test
  void aFailedBackgroundCheckIsWhatTheFailedStepReports() {
    LockedVersionsCheck check = failingInTheBackground();

    RuntimeException apt = new IllegalStateException("apt: version not found");
    RuntimeException reported = check.stepFailed(apt);

    assertSame(missing, reported);
    assertArrayEquals(new Throwable[] {apt}, reported.getSuppressed());
  }

  @Test
  void aFailedBackgroundCheckStopsTheStepStillRunning() throws Exception {
    // The step's process and one it started, as mmdebstrap runs apt and dpkg.
    Process step = new ProcessBuilder("sh", "-c", "sleep 60 & wait").start();
    stop.started(step);

    LockedVersionsCheck check = failingInTheBackground();

    assertTrue(step.waitFor(10, TimeUnit.SECONDS), "the step stopped when the check failed");
    assertFalse(step.descendants().findAny().isPresent(), "its child stopped with it");
    stop.ended();
    RuntimeException stepFailure = new IllegalStateException("mmdebstrap: exit 143");
    assertSame(missing, check.stepFailed(stepFailure), "the check's failure is what is reported");

    // A step started after the failure is stopped at once.
    Process later = new ProcessBuilder("sleep", "60").start();
    stop.started(later);
    assertTrue(later.waitFor(10, TimeUnit.SECONDS), "a later step stopped too");
  }

  @Test
  void aSucceededBackgroundCheckLeavesTheStepRunning() throws Exception {
    Process step = new ProcessBuilder("sleep", "60").start();
    try {
      stop.started(step);
      LockedVersionsCheck check = new LockedVersionsCheck(check(null), true, stop);
      check.stepStarting();
      release.countDown();
      check.stepFinished();
      assertTrue(step.isAlive(), "the step goes on after the check passed");
    } finally {
      step.destroyForcibly();
    }
  }

  @Test
  void aFailedBackgroundCheckFailsAStepThatSucceeded() {
    LockedVersionsCheck check = failingInTheBackground();

    assertSame(missing, assertThrows(InvalidInputException.class, check::stepFinished));
  }

  @Test
  void whenTheCacheMayServeAVersionTheCheckRunsFirstWhenAsked() {
    release.countDown();
    LockedVersionsCheck check = new LockedVersionsCheck(check(null), false, stop);

    check.stepStarting();
    assertEquals(0, runs.get(), "not started in the background");
    check.repository();
    check.repository();
    check.stepFinished();
    assertEquals(1, runs.get());

    RuntimeException apt = new IllegalStateException("apt failed");
    assertSame(apt, check.stepFailed(apt));
  }
}
