package dev.appliance.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileLocksTest {
  @TempDir Path dir;

  /**
   * Another process (python's fcntl.lockf, the same kind of lock) cannot take the lock while this
   * one holds it.
   */
  @Test
  void anotherProcessCannotTakeTheLockUntilItIsReleased() throws Exception {
    Path file = dir.resolve("cache/build.lock");
    List<String> log = new CopyOnWriteArrayList<>();
    try (FileLocks.Held ignored = FileLocks.exclusive(file, () -> log.add("waiting"))) {
      assertNotEquals(0, tryLockFromAnotherProcess(file), "the lock is held");
    }
    assertEquals(0, tryLockFromAnotherProcess(file), "released on close");
    assertEquals(List.of(), log, "no waiting message when nobody else holds it");
  }

  @Test
  void aSharedLockKeepsOtherProcessesFromTheExclusiveOne() throws Exception {
    Path file = dir.resolve("gc.lock");
    try (FileLocks.Held a = FileLocks.shared(file);
        FileLocks.Held b = FileLocks.shared(file)) {
      assertNotEquals(0, tryLockFromAnotherProcess(file));
    }
    assertEquals(0, tryLockFromAnotherProcess(file));
  }

  /** Java refuses overlapping FileLocks in one JVM: a second thread must wait, not fail. */
  @Test
  void aSecondThreadOfThisProcessWaitsForTheFirst() throws Exception {
    Path file = dir.resolve("entry.lock");
    AtomicBoolean firstHolds = new AtomicBoolean();
    AtomicBoolean overlapped = new AtomicBoolean();
    CountDownLatch waiting = new CountDownLatch(1);
    CompletableFuture<Void> second;
    try (FileLocks.Held first = FileLocks.exclusive(file)) {
      firstHolds.set(true);
      second =
          CompletableFuture.runAsync(
              () -> {
                try (FileLocks.Held held = FileLocks.exclusive(file, waiting::countDown)) {
                  overlapped.set(firstHolds.get());
                }
              });
      assertTrue(waiting.await(10, TimeUnit.SECONDS), "the second thread reports it waits");
      Thread.sleep(100);
      assertFalse(second.isDone(), "the second thread does not get the lock while it is held");
      firstHolds.set(false);
    }
    second.get(10, TimeUnit.SECONDS);
    assertFalse(overlapped.get());
  }

  @Test
  void aHolderInAnotherProcessMakesItWaitAndSaySo() throws Exception {
    Path file = dir.resolve("build.lock");
    Path ready = dir.resolve("ready");
    Path released = dir.resolve("released");
    Process holder =
        new ProcessBuilder(
                "python3",
                "-c",
                "import fcntl, sys, time\nf = open(sys.argv[1], 'a')\nfcntl.lockf(f, fcntl.LOCK_EX)\n"
                    + "open(sys.argv[2], 'w').close()\ntime.sleep(1)\n"
                    + "open(sys.argv[3], 'w').close()\nfcntl.lockf(f, fcntl.LOCK_UN)",
                file.toString(),
                ready.toString(),
                released.toString())
            .redirectErrorStream(true)
            .start();
    for (int i = 0; i < 200 && !Files.exists(ready); i++) {
      Thread.sleep(25);
    }
    List<String> log = new CopyOnWriteArrayList<>();
    try (FileLocks.Held held = FileLocks.exclusive(file, () -> log.add("waiting"))) {
      assertTrue(Files.exists(released), "got the lock only once the other process released it");
    }
    assertEquals(List.of("waiting"), log);
    assertEquals(0, holder.waitFor());
  }

  /** tryExclusive refuses at once while a thread or a process holds the lock, and leaks nothing. */
  @Test
  void tryExclusiveGivesNothingWhileAnotherHolderHasTheLock() throws Exception {
    Path file = dir.resolve("image-change.lock");
    try (FileLocks.Held first = FileLocks.exclusive(file)) {
      assertTrue(
          CompletableFuture.supplyAsync(() -> FileLocks.tryExclusive(file))
              .get(10, TimeUnit.SECONDS)
              .isEmpty(),
          "another thread holds it");
    }
    Process holder =
        new ProcessBuilder(
                "python3",
                "-c",
                "import fcntl, sys\nf = open(sys.argv[1], 'a')\nfcntl.lockf(f, fcntl.LOCK_EX)\n"
                    + "print('held', flush=True)\nsys.stdin.read()",
                file.toString())
            .start();
    assertEquals("held", new String(holder.getInputStream().readNBytes(4)));
    assertTrue(FileLocks.tryExclusive(file).isEmpty(), "another process holds it");
    holder.getOutputStream().close();
    assertEquals(0, holder.waitFor());
    try (FileLocks.Held held = FileLocks.tryExclusive(file).orElseThrow()) {
      assertNotEquals(0, tryLockFromAnotherProcess(file), "now this process holds it");
    }
    assertEquals(0, tryLockFromAnotherProcess(file), "released on close");
  }

  private static int tryLockFromAnotherProcess(Path file) throws Exception {
    Process p =
        new ProcessBuilder(
                "python3",
                "-c",
                "import fcntl, sys\nf = open(sys.argv[1], 'a')\nfcntl.lockf(f, fcntl.LOCK_EX | fcntl.LOCK_NB)",
                file.toString())
            .redirectErrorStream(true)
            .start();
    p.getInputStream().readAllBytes();
    return p.waitFor();
  }
}
