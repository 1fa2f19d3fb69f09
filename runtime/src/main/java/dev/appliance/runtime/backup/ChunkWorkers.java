package dev.appliance.runtime.backup;

import dev.appliance.common.ApplianceException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs one task per chunk on a few threads (compression and transfer overlap) and returns the
 * results in chunk order. The first failure cancels the rest and is thrown as it was. A task holds
 * its chunk's buffers only while it runs, so memory stays a few chunks per thread.
 */
final class ChunkWorkers {
  interface Task<T> {
    T run(long index) throws Exception;
  }

  private ChunkWorkers() {}

  static int threads() {
    return Math.max(2, Math.min(8, Runtime.getRuntime().availableProcessors()));
  }

  static <T> List<T> run(long count, Task<T> task) {
    ExecutorService pool = Executors.newFixedThreadPool(threads());
    try {
      List<Future<T>> futures = new ArrayList<>();
      for (long i = 0; i < count; i++) {
        long index = i;
        futures.add(pool.submit(() -> task.run(index)));
      }
      List<T> results = new ArrayList<>(futures.size());
      for (Future<T> future : futures) {
        results.add(future.get());
      }
      return results;
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new ApplianceException(cause.getMessage(), cause);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApplianceException("interrupted", e);
    } finally {
      pool.shutdownNow();
    }
  }
}
