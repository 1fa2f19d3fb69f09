package dev.appliance.builder;

import dev.appliance.common.ApplianceDirs;
import dev.appliance.common.ApplianceException;
import dev.appliance.common.FileLocks;
import dev.appliance.common.HostTools;
import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.Descriptor;
import dev.appliance.oci.ImageConfig;
import dev.appliance.recipe.Recipe;
import dev.appliance.store.ImageAttachments;
import dev.appliance.store.ImageStore;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * {@code appliance build}: turns a parsed recipe into an OCI image in the local store. The root
 * file system is produced layer by layer (see {@link LayerPlan}): mmdebstrap for the base, then
 * each further step on an overlayfs whose upper directory is exactly that layer's difference.
 * Layers are written reproducibly ({@link LayerWriter}) straight into the store, which only ever
 * shows verified whole blobs; the tag is set last, so an interrupted build leaves no image.
 */
public final class ImageBuilder {
  /** Layer annotation naming what a layer holds (base, packages NAME, files NAME, sbom). */
  public static final String LAYER_ANNOTATION = "dev.appliance.layer";

  private final ApplianceDirs dirs;
  private final BuildListener listener;

  public ImageBuilder(ApplianceDirs dirs, BuildListener listener) {
    this.dirs = dirs;
    this.listener = listener;
  }

  public BuildResult build(Recipe recipe, BuildOptions options) {
    return build(recipe, options, null);
  }

  /**
   * @param gitSource the git URL the recipe was cloned from (provenance); null for a local recipe
   */
  public BuildResult build(Recipe recipe, BuildOptions options, String gitSource) {
    return buildWithProvenance(recipe, options, () -> Provenance.of(recipe.source(), gitSource));
  }

  /**
   * A build whose image carries {@code provenance} (a rebuild claims the original's; see {@link
   * Rebuild}) instead of the one found beside the recipe once the layers are built.
   */
  BuildResult buildWithProvenance(
      Recipe recipe, BuildOptions options, Supplier<Provenance> provenance) {
    requireRoot();
    // One build at a time per data directory: builds share the layer cache, the .deb cache and
    // the apt lists, and a starting build clears the cache's leftovers of interrupted builds.
    Path lockFile = dirs.data().resolve("cache/build.lock");
    try (FileLocks.Held ignored =
        FileLocks.exclusive(
            lockFile,
            () ->
                listener.log(
                    "waiting for another build using " + lockFile.getParent() + " to finish"))) {
      return buildLocked(recipe, options, provenance);
    }
  }

  /** Composes the build's steps; each step is one class with one job. */
  private BuildResult buildLocked(
      Recipe recipe, BuildOptions options, Supplier<Provenance> provenanceOf) {
    Timings timings = new Timings(listener);
    BuildInputs inputs = new ResolveInputsStep(dirs, recipe, options, timings, listener).call();
    ImageStore store = ImageStore.open(dirs.store());
    // A rootless build's trees belong to subordinate uids: never mix them with root's.
    StoreLayerWriter blobs = new StoreLayerWriter(store, timings, listener);
    // Closed in reverse order: background writing stops before the workspace is deleted.
    try (LayerCache cache =
            new LayerCache(
                dirs.data()
                    .resolve(
                        inputs.env().userNamespace() ? "cache/layers-userns" : "cache/layers"));
        Workspace ws = Workspace.create(dirs.data().resolve("cache/build-tmp"));
        AutoCloseable storeLock = store.lockForWrite();
        BackgroundLayerWriting background = new BackgroundLayerWriting()) {
      cache.removeLeftovers();
      LayerWriter writer =
          background.compressingHere(new LayerWriter(inputs.epoch(), options.compressionLevel()));
      BuiltLayers built =
          new BuildLayersStep(
                  inputs.plan(),
                  options.useLayerCache(),
                  new BuildLayersStep.Parts(
                      cache,
                      store,
                      blobs,
                      writer,
                      rootfs(inputs, recipe, ws, timings),
                      ws,
                      background),
                  timings,
                  listener)
              .call();
      FinalView view =
          timings.time(
              "inspect root file system",
              () -> FinalView.read(built.trees(), ws.newDir("final"), recipe));
      LockFile installed = new LockCheckStep(inputs, view.packages(), listener).call();
      List<BuildResult.Layer> layers = built.awaitAll();
      if (inputs.lock() == null) {
        aliasLockedKeys(cache, inputs.plan(), LayerPlan.plan(recipe, inputs.releases(), installed));
      }
      layers.add(
          new SbomStep(
                  recipe, view.packages(), inputs.epoch(), ws.newDir("sbom-tree"), blobs, writer)
              .call());
      if (!options.store()) {
        return new BuildResult(null, null, layers, timings.all(), installed);
      }
      List<ImageConfig.History> history = new ArrayList<>(built.history());
      history.add(SbomStep.HISTORY);
      String tag = options.tag() != null ? options.tag() : recipe.name() + ":" + recipe.version();
      AssembleImageStep.Image image =
          new AssembleImageStep.Image(recipe, view, provenanceOf.get(), inputs.epoch(), tag);
      Descriptor manifest =
          timings.time(
              "store image", () -> new AssembleImageStep(store, image, layers, history).call());
      // What push attests as SLSA provenance, and what a rebuild repeats.
      new ImageAttachments(store)
          .putProvenance(
              manifest.digest(),
              BuildRecord.of(
                  recipe,
                  image.provenance(),
                  inputs.lock() == null ? null : inputs.lockPath(),
                  inputs.mirror().uri(),
                  inputs.releases(),
                  inputs.epoch()));
      return new BuildResult(tag, manifest, layers, timings.all(), installed);
    } catch (ApplianceException | InvalidInputException | UncheckedIOException e) {
      throw e;
    } catch (Exception e) {
      throw new ApplianceException("build of " + recipe.source() + " failed: " + e.getMessage(), e);
    }
  }

  /**
   * The real layer producer: {@link RootfsSteps}, then indexing the .deb cache the step filled. The
   * locked versions the mirror dropped are checked once, beside or before the first step that runs
   * ({@link LockedVersionsCheck}).
   */
  private static LayerProducer rootfs(
      BuildInputs inputs, Recipe recipe, Workspace ws, Timings timings) {
    LockFile lock = inputs.lock();
    StepStop baseStop = new StepStop();
    LockedVersionsCheck check =
        lock == null
            ? LockedVersionsCheck.none()
            : new LockedVersionsCheck(
                () ->
                    timings.time(
                        "locked versions on the mirror",
                        () ->
                            CachedDebRepository.forLock(
                                inputs.lockPath(),
                                lock,
                                inputs.mirror(),
                                recipe.base(),
                                inputs.suites(),
                                inputs.debs(),
                                ws.newDir("cached-debs")),
                        ImageBuilder::fromCacheDetail),
                lock.packages().stream().noneMatch(inputs.debs()::mayHold),
                baseStop);
    RootfsSteps steps =
        new RootfsSteps(
            inputs.env(),
            inputs.mirror(),
            lock,
            inputs.suites(),
            recipe,
            check::repository,
            baseStop);
    return (step, lower, work, tree) -> {
      check.stepStarting();
      try {
        steps.produce(step, lower, work, tree);
      } catch (RuntimeException e) {
        throw check.stepFailed(e);
      }
      check.stepFinished();
      inputs.debs().index();
    };
  }

  /**
   * The layers of an unlocked build are what a build with the lock file it resolved ('appliance
   * lock' writes it) installs: the cache finds them under those keys too, so building after locking
   * reuses every layer.
   */
  private static void aliasLockedKeys(
      LayerCache cache, List<LayerPlan.Step> built, List<LayerPlan.Step> locked) {
    for (int i = 0; i < built.size() && i < locked.size(); i++) {
      cache.alias(locked.get(i).key(), built.get(i).key());
    }
  }

  /**
   * Says which locked packages a build installs from the .deb cache because the mirror dropped
   * them.
   */
  private static String fromCacheDetail(CachedDebRepository cached) {
    return cached.isEmpty()
        ? "all of them"
        : "not on the mirror, installed from the .deb cache: " + cached.describe();
  }

  private static void requireRoot() {
    if (!HostTools.isRoot()) {
      throw new ApplianceException(
          "appliance build needs root: it runs mmdebstrap in root mode, mounts"
              + " overlayfs and chroots into the image; without root, run it in a user namespace"
              + " (UserNamespace.rerunThisProcess, which 'appliance build' does by itself)");
    }
  }
}
