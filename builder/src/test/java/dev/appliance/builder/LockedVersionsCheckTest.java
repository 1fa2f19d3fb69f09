package dev.appliance.builder;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
    LockedVersionsCheck check = new LockedVersionsCheck(check(null), true);

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
    LockedVersionsCheck check = new LockedVersionsCheck(check(missing), true);
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
  void aFailedBackgroundCheckFailsAStepThatSucceeded() {
    LockedVersionsCheck check = failingInTheBackground();

    assertSame(missing, assertThrows(InvalidInputException.class, check::stepFinished));
  }

  @Test
  void whenTheCacheMayServeAVersionTheCheckRunsFirstWhenAsked() {
    release.countDown();
    LockedVersionsCheck check = new LockedVersionsCheck(check(null), false);

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
