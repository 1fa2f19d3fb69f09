package dev.appliance.store;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;

/**
 * Flushes a large file being written to disk in the background, a piece at a time, so that the
 * flush before its rename finds little left to write. The page cache holds a pulled layer until
 * that flush (the kernel's own writeback starts only at 10 % of memory or after 30 s), so a pull
 * ended waiting 0.1 to 0.3 s for the disk to take all of its layers at once; skopeo waits the same.
 * One flush runs at a time per file, on its own thread, while writing goes on.
 */
final class EarlyWriteback {
  /** Flushed every this many bytes: a few flushes for a layer of a hundred megabytes. */
  static final long INTERVAL = 32L << 20;

  private final FileChannel channel;
  private long flushedUpTo;
  private Thread running;
  private IOException failure;

  EarlyWriteback(FileChannel channel) {
    this.channel = channel;
  }

  /** Called after each write with the bytes written so far; starts a flush every interval. */
  void written(long total) {
    if (total - flushedUpTo < INTERVAL || (running != null && running.isAlive())) {
      return;
    }
    flushedUpTo = total;
    running =
        new Thread(
            () -> {
              try {
                // Data only: the final force(true) writes the metadata once.
                channel.force(false);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            },
            "appliance-writeback");
    running.setDaemon(true);
    running.setUncaughtExceptionHandler((thread, e) -> keep(e));
    running.start();
  }

  private synchronized void keep(Throwable e) {
    if (failure == null) {
      failure =
          e.getCause() instanceof IOException io
              ? io
              : new IOException("flushing a blob to disk failed: " + e, e);
    }
  }

  /**
   * Waits for the flush under way, if any; throws its error. Linux reports a failed write-back to
   * one flush only, so an error seen here must fail the blob even if the final flush succeeds.
   */
  void finish() throws IOException {
    join();
    synchronized (this) {
      if (failure != null) {
        throw failure;
      }
    }
  }

  /** Waits for the flush under way, if any, so that the channel can be closed. */
  void join() {
    if (running == null) {
      return;
    }
    boolean interrupted = false;
    while (true) {
      try {
        running.join();
        break;
      } catch (InterruptedException e) {
        // The channel must not close under a flush still running; the interrupt is kept.
        interrupted = true;
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    running = null;
  }
}
