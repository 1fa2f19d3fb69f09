package dev.appliance.cli;

import dev.appliance.oci.Descriptor;
import dev.appliance.registry.TransferListener;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Shows a push or pull on stderr: one progress bar per blob, redrawn in place, on a terminal; one
 * line per step otherwise (logs, CI), so nothing is garbled. Transfers run on several threads,
 * hence the synchronization.
 */
final class TransferProgress implements TransferListener {
  private static final long REDRAW_NANOS = 100_000_000L;

  private final PrintWriter err;
  private final boolean terminal;
  private final String verb;
  private final Map<Descriptor, long[]> bars = new LinkedHashMap<>();
  private int drawnLines;
  private long lastDraw;

  TransferProgress(PrintWriter err, boolean terminal, String verb) {
    this.err = err;
    this.terminal = terminal;
    this.verb = verb;
  }

  /** Progress for {@code verb} ("pushing", "pulling"); nothing when quiet. */
  static TransferListener of(PrintWriter err, boolean quiet, String verb) {
    return quiet
        ? TransferListener.NONE
        : new TransferProgress(err, System.console() != null, verb);
  }

  /**
   * Prints a transfer's result: the JSON document on stdout with --json; otherwise the digest on
   * stdout and the summary on stderr (unless quiet).
   */
  static void printResult(
      PrintWriter out,
      PrintWriter err,
      OutputOptions output,
      Object json,
      String digest,
      String summary) {
    if (output.json) {
      out.println(Json.write(json));
      return;
    }
    if (!output.quiet) {
      err.println(summary);
    }
    out.println(digest);
  }

  @Override
  public synchronized void stage(String message) {
    clearBars();
    err.println(message);
    drawBars();
  }

  @Override
  public synchronized void blobStarted(Descriptor blob) {
    if (terminal) {
      bars.put(blob, new long[] {0, 0});
      redraw(true);
    } else {
      err.println(verb + " " + blob.digest().shortHex() + " (" + Sizes.human(blob.size()) + ")");
      err.flush();
    }
  }

  @Override
  public synchronized void blobProgress(Descriptor blob, long bytesDone) {
    long[] state = bars.get(blob);
    if (state != null) {
      state[0] = bytesDone;
      redraw(false);
    }
  }

  @Override
  public synchronized void blobFinished(Descriptor blob, boolean skipped) {
    if (terminal) {
      bars.put(blob, new long[] {blob.size(), skipped ? 2 : 1});
      redraw(true);
    } else {
      err.println(blob.digest().shortHex() + (skipped ? ": already there, skipped" : ": done"));
      err.flush();
    }
  }

  private void redraw(boolean force) {
    long now = System.nanoTime();
    if (!terminal || (!force && now - lastDraw < REDRAW_NANOS)) {
      return;
    }
    lastDraw = now;
    clearBars();
    drawBars();
  }

  /** Moves the cursor up over the bars drawn last time and erases them. */
  private void clearBars() {
    if (terminal && drawnLines > 0) {
      err.print("\u001b[" + drawnLines + "A\u001b[J");
      drawnLines = 0;
    }
  }

  private void drawBars() {
    if (!terminal) {
      err.flush();
      return;
    }
    for (Map.Entry<Descriptor, long[]> entry : bars.entrySet()) {
      Descriptor blob = entry.getKey();
      long done = entry.getValue()[0];
      long state = entry.getValue()[1];
      String status =
          state == 2
              ? "already there"
              : state == 1 ? "done" : Sizes.human(done) + " / " + Sizes.human(blob.size());
      err.println(
          blob.digest().shortHex()
              + " "
              + ProgressBar.bar(done, blob.size(), ProgressBar.WIDTH)
              + " "
              + status);
      drawnLines++;
    }
    err.flush();
  }
}
