package dev.appliance.runtime.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.ApplianceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one runner for host tools, with a real shell. */
class HostToolTest {
  private static final List<String> CHATTY =
      List.of("sh", "-c", "echo one; echo two >&2; echo three");

  @Test
  void streamsAreSeparateByDefaultAndInterleavedWhenMerged(@TempDir Path dir) {
    HostTool.Result separate = HostTool.run(CHATTY, dir);
    assertEquals("one\nthree\n", separate.stdout());
    assertEquals("two\n", separate.stderr());
    HostTool.Result merged = HostTool.run(CHATTY, dir, HostTool.Options.DEFAULT.merged());
    assertEquals("one\ntwo\nthree\n", merged.stdout());
    assertEquals("", merged.stderr());
  }

  @Test
  void aFailureNamesTheToolAndItsErrorOutput(@TempDir Path dir) {
    ApplianceException e =
        assertThrows(
            ApplianceException.class,
            () -> HostTool.run(List.of("sh", "-c", "echo disk full >&2; exit 3"), dir));
    assertEquals("sh failed (exit 3): disk full", e.getMessage());
  }

  @Test
  void aToolThatHangsIsKilledAtTheTimeoutAndLeavesNoCaptureFiles(@TempDir Path dir)
      throws Exception {
    long start = System.nanoTime();
    ApplianceException e =
        assertThrows(
            ApplianceException.class,
            () ->
                HostTool.run(
                    List.of("sleep", "30"),
                    dir,
                    HostTool.Options.SHORT.withTimeout(Duration.ofSeconds(1))));
    assertEquals("sleep did not finish in 1 s", e.getMessage());
    assertTrue(System.nanoTime() - start < Duration.ofSeconds(10).toNanos());
    try (var left = Files.list(dir)) {
      assertEquals(List.of(), left.toList());
    }
  }

  @Test
  void theEnvironmentIsPassedAndTheWorkingDirectoryIsUsed(@TempDir Path dir) {
    HostTool.Result r =
        HostTool.run(
            List.of("sh", "-c", "echo \"$GREETING\"; pwd"),
            dir,
            HostTool.Options.DEFAULT.withEnv(java.util.Map.of("GREETING", "hello")));
    assertEquals("hello\n" + dir.toAbsolutePath() + "\n", r.stdout());
  }
}
