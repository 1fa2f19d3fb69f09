package dev.appliance.builder;

import dev.appliance.common.ApplianceException;
import dev.appliance.common.DaemonThreads;
import dev.appliance.common.DeflateThreads;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Compresses layers on one background thread while the next step runs: the next step only reads the
 * finished directory as an overlay lower layer. While a step runs the compression deflates on one
 * thread, and on every core otherwise ({@link DeflateThreads}). Closing stops a writer still
 * reading a layer directory, before the workspace deletes it.
 */
final class BackgroundLayerWriting implements AutoCloseable {
  private final DeflateThreads deflateThreads = new DeflateThreads();
  private final ExecutorService executor =
      Executors.newSingleThreadExecutor(DaemonThreads.named("layer-writer"));

  /** The writer, compressing on this writing's threads. */
  LayerWriter compressingHere(LayerWriter writer) {
    return writer.deflatingOn(deflateThreads);
  }

  /** Runs a build step, leaving it every core but one deflate thread's. */
  <T> T besideStep(Supplier<T> step) {
    return deflateThreads.narrowedDuring(step);
  }

  Future<BuildResult.Layer> submit(Callable<BuildResult.Layer> write) {
    return executor.submit(write);
  }

  /** The layer a submitted write produced; its failure rethrown as it was. */
  static BuildResult.Layer await(Future<BuildResult.Layer> layer) {
    try {
      return layer.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApplianceException("interrupted while writing layers", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw new ApplianceException("writing a layer failed: " + e.getCause(), e.getCause());
    }
  }

  @Override
  public void close() {
    executor.shutdownNow();
    try {
      executor.awaitTermination(5, TimeUnit.MINUTES);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      deflateThreads.close();
    }
  }
}
