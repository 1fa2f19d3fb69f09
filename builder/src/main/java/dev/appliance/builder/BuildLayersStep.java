package dev.appliance.builder;

import dev.appliance.oci.ImageConfig;
import dev.appliance.store.ImageStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;

/**
 * The layer loop: for each planned step, one of three cache branches. A cached entry whose blob is
 * in the store is reused as is; a cached entry whose blob the store lost (gc) is written again from
 * its cached directory; anything else is produced, then written in the background while the next
 * step runs.
 */
final class BuildLayersStep implements Callable<BuiltLayers> {
  /** Where layers come from and go to. */
  record Parts(
      LayerCache cache,
      ImageStore store,
      StoreLayerWriter blobs,
      LayerWriter writer,
      LayerProducer producer,
      Workspace workspace,
      BackgroundLayerWriting background) {}

  private final List<LayerPlan.Step> plan;
  private final boolean useCache;
  private final Parts parts;
  private final Timings timings;
  private final BuildListener listener;

  BuildLayersStep(
      List<LayerPlan.Step> plan,
      boolean useCache,
      Parts parts,
      Timings timings,
      BuildListener listener) {
    this.plan = plan;
    this.useCache = useCache;
    this.parts = parts;
    this.timings = timings;
    this.listener = listener;
  }

  @Override
  public BuiltLayers call() {
    List<Path> trees = new ArrayList<>();
    List<Future<BuildResult.Layer>> pending = new ArrayList<>();
    List<ImageConfig.History> history = new ArrayList<>();
    for (int i = 0; i < plan.size(); i++) {
      LayerPlan.Step step = plan.get(i);
      Optional<LayerCache.Entry> cached =
          useCache ? parts.cache().find(step.key()) : Optional.empty();
      if (cached.isPresent() && parts.store().hasBlob(cached.get().digest())) {
        pending.add(reuse(step, cached.get()));
        trees.add(cached.get().tree());
      } else if (cached.isPresent()) {
        pending.add(rewrite(step, cached.get()));
        trees.add(cached.get().tree());
      } else {
        Path tree = parts.cache().prepare(step.key());
        pending.add(
            produce(step, List.copyOf(trees), parts.workspace().newDir("layer-" + i), tree));
        trees.add(tree);
      }
      history.add(new ImageConfig.History(step.createdBy(), step.name()));
    }
    return new BuiltLayers(trees, pending, history);
  }

  private Future<BuildResult.Layer> reuse(LayerPlan.Step step, LayerCache.Entry entry) {
    listener.stageFinished(step.name(), Duration.ZERO, "cached " + entry.digest().shortHex());
    return CompletableFuture.completedFuture(
        new BuildResult.Layer(step.name(), entry.digest(), entry.diffId(), entry.size(), true));
  }

  /** The store lost the blob (gc): write it again from the cached tree. */
  private Future<BuildResult.Layer> rewrite(LayerPlan.Step step, LayerCache.Entry entry) {
    return CompletableFuture.completedFuture(write(step, entry.tree()));
  }

  /**
   * Produces the layer's directory, then writes it in the background. The entry is deleted with the
   * workspace unless its write completes, so a failed build leaves no half-made entry.
   */
  private Future<BuildResult.Layer> produce(
      LayerPlan.Step step, List<Path> lower, Path work, Path tree) {
    Path entryDir = parts.cache().entryDir(step.key());
    parts.workspace().deleteOnClose(entryDir);
    timings.time(
        step.name(),
        () ->
            parts
                .background()
                .besideStep(
                    () -> {
                      parts.producer().produce(step, lower, work, tree);
                      return tree;
                    }));
    return parts
        .background()
        .submit(
            () -> {
              BuildResult.Layer layer = write(step, tree);
              parts.workspace().keep(entryDir);
              return layer;
            });
  }

  private BuildResult.Layer write(LayerPlan.Step step, Path tree) {
    LayerWriter writer =
        step.kind() == LayerPlan.Kind.BASE ? parts.writer().forBaseLayer() : parts.writer();
    LayerBlob blob = parts.blobs().write(writer, tree, step.name());
    parts.cache().commit(step.key(), blob, step.name());
    return new BuildResult.Layer(step.name(), blob.digest(), blob.diffId(), blob.size(), false);
  }
}
