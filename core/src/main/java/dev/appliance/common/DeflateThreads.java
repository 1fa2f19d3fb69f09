package dev.appliance.common;

import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The threads a build deflates its layers on: one per core, narrowed to one while a build step runs
 * beside the compression. A layer is compressed while the next step installs packages, and on two
 * cores a compression on every core took the core dpkg and the maintainer scripts needed. A layer's
 * bytes do not depend on the number of threads ({@link ParallelGzipOutputStream}), only its time
 * does.
 */
public final class DeflateThreads implements AutoCloseable {
  private final int cores;
  private final ThreadPoolExecutor pool;

  public DeflateThreads() {
    this(Math.max(1, Runtime.getRuntime().availableProcessors()));
  }

  public DeflateThreads(int cores) {
    this.cores = cores;
    // An unbounded queue: the pool runs at its core size, which narrowedDuring changes.
    this.pool =
        new ThreadPoolExecutor(
            cores,
            cores,
            30,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            DaemonThreads.named("layer-gzip"));
  }

  Executor executor() {
    return pool;
  }

  /** The most chunks worth deflating at once. */
  int cores() {
    return cores;
  }

  /**
   * Runs a build step with one deflate thread; all of them again afterwards. A chunk being deflated
   * finishes on its thread; the pool then shrinks.
   */
  public <T> T narrowedDuring(Supplier<T> step) {
    pool.setCorePoolSize(1);
    pool.setMaximumPoolSize(1);
    try {
      return step.get();
    } finally {
      pool.setMaximumPoolSize(cores);
      pool.setCorePoolSize(cores);
    }
  }

  /** The pool's current size, for tests. */
  int width() {
    return pool.getMaximumPoolSize();
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }
}
