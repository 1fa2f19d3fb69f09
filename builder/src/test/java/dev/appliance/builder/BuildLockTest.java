package dev.appliance.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuildLockTest {
  @TempDir Path dir;

  /**
   * Another process (python's fcntl.lockf, the same kind of lock) cannot build while one build
   * holds the lock.
   */
  @Test
  void aSecondBuildProcessCannotTakeTheLockUntilTheFirstReleasesIt() throws Exception {
    Path file = dir.resolve("cache/build.lock");
    List<String> log = new ArrayList<>();
    try (BuildLock ignored = BuildLock.acquire(file, log::add)) {
      assertNotEquals(0, tryLockFromAnotherProcess(file), "the lock is held");
    }
    assertEquals(0, tryLockFromAnotherProcess(file), "released on close");
    assertEquals(List.of(), log, "no waiting message when nobody else builds");
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
