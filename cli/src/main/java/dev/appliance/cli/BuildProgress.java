package dev.appliance.cli;

import dev.appliance.build.BuildListener;

import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/**
 * Build progress on stderr: one line per finished stage with its duration; on a
 * terminal also a status line redrawn in place (tool output such as apt's
 * download progress, bytes of the layer being written). With --verbose every
 * line of tool output is printed.
 */
final class BuildProgress implements BuildListener {
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintWriter err;
    private final boolean terminal;
    private final boolean verbose;
    private boolean statusShown;
    private long lastDraw;

    private BuildProgress(PrintWriter err, boolean terminal, boolean verbose) {
        this.err = err;
        this.terminal = terminal;
        this.verbose = verbose;
    }

    static BuildListener of(PrintWriter err, boolean quiet, boolean verbose) {
        return quiet ? BuildListener.silent() : new BuildProgress(err, System.console() != null, verbose);
    }

    @Override
    public synchronized void stageStarted(String stage) {
        status(stage + " ...", true);
    }

    @Override
    public synchronized void stageFinished(String stage, Duration duration, String detail) {
        clearStatus();
        err.printf(Locale.ROOT, "%-50s %7.1f s%s%n", stage, duration.toMillis() / 1000.0,
                detail.isEmpty() ? "" : "  " + detail);
        err.flush();
    }

    @Override
    public synchronized void progress(String what, long done, long total) {
        status(what + ": " + Sizes.human(done) + (total > 0 ? " / " + Sizes.human(total) : ""), false);
    }

    @Override
    public synchronized void log(String line) {
        if (verbose) {
            clearStatus();
            err.println("  | " + line);
            err.flush();
        } else {
            status("  " + line, false);
        }
    }

    private void status(String text, boolean force) {
        long now = System.nanoTime();
        if (!terminal || (!force && now - lastDraw < REDRAW_NANOS)) {
            return;
        }
        lastDraw = now;
        String line = text.length() > 100 ? text.substring(0, 97) + "..." : text;
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
