package dev.appliance.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.ApplianceException;
import dev.appliance.store.ImageStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The layer loop and its three cache branches (reuse, rewrite a blob the store lost, produce),
 * against a real store, layer cache and layer writer, without root: the producer writes plain files
 * instead of running mmdebstrap and overlayfs, which need root (that path is covered by
 * ImageBuilderTest).
 */
class BuildLayersStepTest {
  @TempDir Path dir;

  private ImageStore store;
  private LayerCache cache;
  private final List<String> produced = new ArrayList<>();
  private final List<List<Path>> lowers = new ArrayList<>();

  private final List<LayerPlan.Step> plan =
      List.of(
          step(LayerPlan.Kind.BASE, "base", "key-base"),
          step(LayerPlan.Kind.FILES, "files web", "key-files"));

  @BeforeEach
  void setUp() {
    store = ImageStore.open(dir.resolve("store"));
    cache = new LayerCache(dir.resolve("layers"));
  }

  private static LayerPlan.Step step(LayerPlan.Kind kind, String name, String key) {
    return new LayerPlan.Step(kind, null, name, key, List.of(), List.of(), "appliance " + name);
  }

  /** Writes one file named for the step: distinct, reproducible content per layer. */
  private void produce(LayerPlan.Step step, List<Path> lower, Path work, Path tree) {
    produced.add(step.name());
    lowers.add(lower);
    try {
      Files.createDirectories(tree.resolve("etc"));
      Files.writeString(tree.resolve("etc").resolve(step.key()), step.name() + "\n");
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private List<BuildResult.Layer> run(boolean useCache, LayerProducer producer) {
    Timings timings = new Timings(BuildListener.silent());
    try (Workspace ws = Workspace.create(dir.resolve("build-tmp"));
        BackgroundLayerWriting background = new BackgroundLayerWriting()) {
      BuildLayersStep.Parts parts =
          new BuildLayersStep.Parts(
              cache,
              store,
              new StoreLayerWriter(store, timings, BuildListener.silent()),
              new LayerWriter(1_700_000_000L, 6),
              producer,
              ws,
              background);
      BuiltLayers built =
          new BuildLayersStep(plan, useCache, parts, timings, BuildListener.silent()).call();
      assertEquals(
          List.of("appliance base", "appliance files web"),
          built.history().stream().map(h -> h.createdBy()).toList());
      return built.awaitAll();
    }
  }

  private List<BuildResult.Layer> run(boolean useCache) {
    return run(useCache, this::produce);
  }

  @Test
  void aFirstBuildProducesEachLayerOnTheOnesBelowAndCachesIt() {
    List<BuildResult.Layer> layers = run(true);

    assertEquals(List.of("base", "files web"), produced);
    assertEquals(List.of(), lowers.get(0));
    assertEquals(List.of(cache.find("key-base").orElseThrow().tree()), lowers.get(1));
    for (int i = 0; i < plan.size(); i++) {
      BuildResult.Layer layer = layers.get(i);
      assertFalse(layer.cached());
      assertTrue(store.hasBlob(layer.digest()), layer.name() + " is in the store");
      LayerCache.Entry entry = cache.find(plan.get(i).key()).orElseThrow();
      assertEquals(layer.digest(), entry.digest());
      assertEquals(layer.diffId(), entry.diffId());
    }
    assertFalse(layers.get(0).digest().equals(layers.get(1).digest()));
  }

  @Test
  void aRebuildReusesEveryCachedLayerWithoutProducingIt() {
    List<BuildResult.Layer> first = run(true);
    produced.clear();

    List<BuildResult.Layer> second = run(true);

    assertEquals(List.of(), produced);
    assertTrue(second.stream().allMatch(BuildResult.Layer::cached));
    assertEquals(digests(first), digests(second));
  }

  @Test
  void aBlobTheStoreLostIsWrittenAgainFromTheCachedTree() throws Exception {
    List<BuildResult.Layer> first = run(true);
    Files.delete(store.blobPath(first.get(1).digest()));
    produced.clear();

    List<BuildResult.Layer> second = run(true);

    assertEquals(List.of(), produced, "the cached tree is written, not produced again");
    assertTrue(second.get(0).cached());
    assertFalse(second.get(1).cached());
    assertEquals(digests(first), digests(second));
    assertTrue(store.hasBlob(first.get(1).digest()));
  }

  @Test
  void withoutTheCacheEveryLayerIsProducedAgainToTheSameBytes() {
    List<BuildResult.Layer> first = run(true);
    produced.clear();

    List<BuildResult.Layer> second = run(false);

    assertEquals(List.of("base", "files web"), produced);
    assertFalse(second.stream().anyMatch(BuildResult.Layer::cached));
    assertEquals(digests(first), digests(second));
  }

  @Test
  void aLayerThatFailsToBeProducedLeavesNoCacheEntry() {
    ApplianceException e =
        assertThrows(
            ApplianceException.class,
            () ->
                run(
                    true,
                    (step, lower, work, tree) -> {
                      throw new ApplianceException("mmdebstrap failed");
                    }));

    assertEquals("mmdebstrap failed", e.getMessage());
    assertTrue(cache.find("key-base").isEmpty());
    assertFalse(Files.exists(cache.entryDir("key-base")), "the half-made entry is deleted");
  }

  private static List<String> digests(List<BuildResult.Layer> layers) {
    return layers.stream().map(l -> l.digest().toString()).toList();
  }
}
