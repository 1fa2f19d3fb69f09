package dev.appliance.registry;

import dev.appliance.common.ApplianceException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Runs blob transfers a few at a time, as docker and skopeo do: one slow layer does not hold up the
 * small ones. The first failure interrupts the others (transfers check for it between buffers) and
 * is rethrown once they have stopped, so nothing keeps writing after the caller has seen the error.
 */
final class Parallel {
  static final int TRANSFERS = 3;
  private static final long STOP_SECONDS = 60;

  private Parallel() {}

  static <T> void forEach(List<T> items, Consumer<T> action) {
    if (items.isEmpty()) {
      return;
    }
    ExecutorService pool =
        Executors.newFixedThreadPool(
            Math.min(TRANSFERS, items.size()),
            runnable -> {
              Thread thread = new Thread(runnable, "appliance-transfer");
              thread.setDaemon(true);
              return thread;
            });
    try {
      List<Future<?>> futures = new ArrayList<>();
      for (T item : items) {
        futures.add(pool.submit(() -> action.accept(item)));
      }
      for (Future<?> future : futures) {
        try {
          future.get();
        } catch (ExecutionException e) {
          pool.shutdownNow();
          pool.awaitTermination(STOP_SECONDS, TimeUnit.SECONDS);
          throw e.getCause() instanceof RuntimeException r
              ? r
              : new ApplianceException(e.getCause().getMessage(), e.getCause());
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApplianceException("interrupted", e);
    } finally {
      pool.shutdownNow();
    }
  }
}
