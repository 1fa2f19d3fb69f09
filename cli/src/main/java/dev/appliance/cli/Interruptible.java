package dev.appliance.cli;

import java.io.PrintWriter;
import java.util.concurrent.CountDownLatch;
import java.util.function.Supplier;

/**
 * Runs work that must finish cleanly when the user presses Ctrl-C (or the process gets SIGTERM):
 * the JVM's shutdown hook interrupts the working thread and holds the exit until the work, which
 * reacts to the interrupt (an upgrade rolls back), has returned or failed.
 */
final class Interruptible {
  private Interruptible() {}

  static <T> T run(PrintWriter err, String reaction, Supplier<T> work) {
    Thread worker = Thread.currentThread();
    CountDownLatch finished = new CountDownLatch(1);
    Thread hook =
        new Thread(
            () -> {
              err.println("interrupted: " + reaction + " ...");
              err.flush();
              worker.interrupt();
              try {
                finished.await();
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            "interrupt-" + reaction.replace(' ', '-'));
    Runtime.getRuntime().addShutdownHook(hook);
    try {
      return work.get();
    } catch (RuntimeException e) {
      if (Thread.currentThread().isInterrupted()) {
        // The JVM exits as soon as the hook returns: say what happened now.
        err.println("error: " + e.getMessage());
        err.flush();
      }
      throw e;
    } finally {
      finished.countDown();
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook is running: it returns now that the work has finished
      }
    }
  }
}
