package dev.appliance.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class BuildProgressTest {
  private String run(boolean terminal) {
    StringWriter text = new StringWriter();
    BuildProgress progress = new BuildProgress(new PrintWriter(text), terminal, false);
    progress.stageStarted("base debian-trixie");
    progress.progress("download", 0, 10_000_000);
    progress.progress("download", 10_000_000, 10_000_000);
    progress.stageFinished("base debian-trixie", Duration.ofSeconds(40), "");
    progress.progress("layer base debian-trixie", 100_000_000, 400_000_000);
    progress.log("Unpacking apache2 (2.4.65-2) ...");
    progress.stageFinished("write layer base debian-trixie", Duration.ofSeconds(9), "");
    return text.toString();
  }

  @Test
  void onATerminalDownloadsAndLayersHaveBarsBesideTheToolOutput() {
    String out = run(true);
    assertTrue(out.contains("download [" + "=".repeat(20) + "] "), out);
    assertTrue(out.contains("layer base debian-trixie [=====" + " ".repeat(15) + "] "), out);
    assertTrue(out.contains("base debian-trixie                                    40.0 s"), out);
  }

  @Test
  void elsewhereOnlyTheStagesWithTheirDurations() {
    String out = run(false);
    assertFalse(out.contains("["), out);
    assertFalse(out.contains("\u001b"), out);
    assertTrue(out.lines().allMatch(l -> l.matches(".* \\d+\\.\\d s")), out);
  }
}
