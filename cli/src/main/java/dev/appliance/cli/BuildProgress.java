package dev.appliance.cli;

import dev.appliance.builder.BuildListener;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Build progress on stderr: one line per finished stage with its duration; on a terminal also a
 * status line redrawn in place: a bar for each download and layer being written (a layer is written
 * while the next step runs), then the latest line of tool output. With --verbose every line of tool
 * output is printed.
 */
final class BuildProgress implements BuildListener {
  private static final long REDRAW_NANOS = 100_000_000L;

  /** Progress the builder reports for apt's downloads (AptProgress.WHAT). */
  static final String DOWNLOAD = "download";

  private static final int STATUS_WIDTH = 110;
  private static final int BAR_WIDTH = 20;

  private final PrintWriter err;
  private final boolean terminal;
  private final boolean verbose;

  /** What is in progress ("download", "layer base debian-trixie") to its bar. */
  private final Map<String, String> bars = new LinkedHashMap<>();

  private String lastLine = "";
  private boolean statusShown;
  private long lastDraw;

  BuildProgress(PrintWriter err, boolean terminal, boolean verbose) {
    this.err = err;
    this.terminal = terminal;
    this.verbose = verbose;
  }

  static BuildListener of(PrintWriter err, boolean quiet, boolean verbose) {
    return quiet
        ? BuildListener.silent()
        : new BuildProgress(err, System.console() != null, verbose);
  }

  @Override
  public synchronized void stageStarted(String stage) {
    lastLine = stage + " ...";
    status(true);
  }

  @Override
  public synchronized void stageFinished(String stage, Duration duration, String detail) {
    clearStatus();
    // A layer's bar ends with its "write layer" stage; a download's with the step that ran it.
    if (stage.startsWith("write ")) {
      bars.remove(stage.substring("write ".length()));
    } else {
      bars.remove(DOWNLOAD);
    }
    err.printf(
        Locale.ROOT,
        "%-50s %7.1f s%s%n",
        stage,
        duration.toMillis() / 1000.0,
        detail.isEmpty() ? "" : "  " + detail);
    err.flush();
    status(true);
  }

  @Override
  public synchronized void progress(String what, long done, long total) {
    boolean appears = !bars.containsKey(what);
    bars.put(what, what + " " + ProgressBar.of(done, total, BAR_WIDTH));
    status(appears || (done >= total && total > 0));
  }

  @Override
  public synchronized void log(String line) {
    if (verbose) {
      clearStatus();
      err.println("  | " + line);
      err.flush();
      status(true);
    } else {
      lastLine = line.strip();
      status(false);
    }
  }

  private void status(boolean force) {
    long now = System.nanoTime();
    if (!terminal || (!force && now - lastDraw < REDRAW_NANOS)) {
      return;
    }
    lastDraw = now;
    List<String> parts = new ArrayList<>(bars.values());
    if (!verbose && !lastLine.isEmpty()) {
      parts.add(lastLine);
    }
    String line = String.join("  ", parts);
    if (line.isEmpty()) {
      clearStatus();
      return;
    }
    line = line.length() > STATUS_WIDTH ? line.substring(0, STATUS_WIDTH - 3) + "..." : line;
    err.print("\r\u001b[K" + line);
    err.flush();
    statusShown = true;
  }

  private void clearStatus() {
    if (statusShown) {
      err.print("\r\u001b[K");
      statusShown = false;
    }
  }
}
