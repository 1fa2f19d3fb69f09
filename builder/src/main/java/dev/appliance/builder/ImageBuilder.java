package dev.appliance.builder;

import dev.appliance.common.ApplianceDirs;
import dev.appliance.common.ApplianceException;
import dev.appliance.common.HostTools;
import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.ApplianceMetadata;
import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageConfig;
import dev.appliance.oci.Manifest;
import dev.appliance.oci.MediaTypes;
import dev.appliance.recipe.Recipe;
import dev.appliance.store.BlobWriter;
import dev.appliance.store.ImageStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
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
    try (BuildLock ignored =
        BuildLock.acquire(dirs.data().resolve("cache/build.lock"), listener::log)) {
      return buildLocked(recipe, options, provenance);
    }
  }

  private BuildResult buildLocked(
      Recipe recipe, BuildOptions options, Supplier<Provenance> provenanceOf) {
    Timings timings = new Timings(listener);
    Recipe.Base base = recipe.base();
    String mirrorUri =
        options.mirror() != null
            ? options.mirror()
            : base.mirror() != null ? base.mirror() : AptSources.host().debianMirror();
    DebianMirror mirror = new DebianMirror(mirrorUri);
    Path lockPath = LockFile.pathFor(recipe.source());
    LockFile lock =
        options.useLockFile() && Files.isRegularFile(lockPath) ? LockFile.read(lockPath) : null;
    List<String> suites = LayerPlan.suites(recipe);
    Map<String, Instant> releases =
        lock != null && lock.suites().keySet().containsAll(suites)
            ? lock.suites()
            : timings.time("mirror " + mirrorUri, () -> releaseDates(mirror, suites));
    long epoch = releases.get(base.suite()).getEpochSecond();
    BuildEnvironment env =
        new BuildEnvironment(
            mirrorUri,
            AptSources.hostAptOptions(),
            epoch,
            dirs.debCache(),
            dirs.data().resolve("cache/apt-lists").resolve(shortHash(mirrorUri + suites)),
            new AptProgress(listener),
            UserNamespace.inside());
    DebCache debs = new DebCache(dirs.debCache());
    if (lock != null) {
      debs.dropMismatches(lock.packages());
    }
    ImageStore store = ImageStore.open(dirs.store());
    // A rootless build's trees belong to subordinate uids: never mix them with root's.
    LayerCache cache =
        new LayerCache(
            dirs.data().resolve(env.userNamespace() ? "cache/layers-userns" : "cache/layers"));
    cache.removeLeftovers();
    List<LayerPlan.Step> plan = LayerPlan.plan(recipe, releases, lock);
    LayerWriter writer = new LayerWriter(epoch, options.compressionLevel());

    ExecutorService layerWriting =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "layer-writer");
              t.setDaemon(true);
              return t;
            });
    try (Workspace ws = Workspace.create(dirs.data().resolve("cache/build-tmp"));
        AutoCloseable ignored = store.lockForWrite()) {
      RootfsSteps steps =
          new RootfsSteps(
              env,
              mirror,
              lock,
              suites,
              recipe,
              () ->
                  lock == null
                      ? CachedDebRepository.none()
                      : timings.time(
                          "locked versions on the mirror",
                          () ->
                              CachedDebRepository.forLock(
                                  lockPath,
                                  lock,
                                  mirror,
                                  base,
                                  suites,
                                  debs,
                                  ws.newDir("cached-debs")),
                          ImageBuilder::fromCacheDetail));
      List<Path> trees = new ArrayList<>();
      // Layers are compressed on a background thread while the next step runs:
      // the next step only reads the finished directory as an overlay lower layer.
      List<Future<BuildResult.Layer>> written = new ArrayList<>();
      List<Descriptor> descriptors = new ArrayList<>();
      List<ImageConfig.History> history = new ArrayList<>();
      for (int i = 0; i < plan.size(); i++) {
        LayerPlan.Step step = plan.get(i);
        Optional<LayerCache.Entry> cached =
            options.useLayerCache() ? cache.find(step.key()) : Optional.empty();
        if (cached.isPresent() && store.hasBlob(cached.get().digest())) {
          LayerCache.Entry entry = cached.get();
          listener.stageFinished(step.name(), Duration.ZERO, "cached " + entry.digest().shortHex());
          written.add(
              CompletableFuture.completedFuture(
                  new BuildResult.Layer(
                      step.name(), entry.digest(), entry.diffId(), entry.size(), true)));
          trees.add(entry.tree());
        } else if (cached.isPresent()) {
          // The store lost the blob (gc): write it again from the cached tree.
          LayerCache.Entry entry = cached.get();
          LayerBlob blob =
              writeLayer(store, writerFor(step, writer), entry.tree(), step.name(), timings);
          cache.commit(step.key(), blob, step.name());
          written.add(CompletableFuture.completedFuture(layer(step, blob)));
          trees.add(entry.tree());
        } else {
          Path tree = cache.prepare(step.key());
          Path entryDir = cache.entryDir(step.key());
          ws.deleteOnClose(entryDir);
          Path work = ws.newDir("layer-" + i);
          List<Path> lower = List.copyOf(trees);
          timings.time(
              step.name(),
              () -> {
                steps.produce(step, lower, work, tree);
                return tree;
              });
          debs.index();
          written.add(
              layerWriting.submit(
                  () -> {
                    LayerBlob blob =
                        writeLayer(store, writerFor(step, writer), tree, step.name(), timings);
                    cache.commit(step.key(), blob, step.name());
                    ws.keep(entryDir);
                    return layer(step, blob);
                  }));
          trees.add(tree);
        }
        history.add(new ImageConfig.History(step.createdBy(), step.name()));
      }
      FinalView view =
          timings.time(
              "inspect root file system", () -> FinalView.read(trees, ws.newDir("final"), recipe));
      LockFile installed = lockOf(view.packages(), releases, debs);
      if (lock != null) {
        checkLockHonoured(lock, installed, lockPath);
      }
      List<BuildResult.Layer> layers = new ArrayList<>();
      for (Future<BuildResult.Layer> layer : written) {
        layers.add(await(layer));
      }
      if (lock == null) {
        aliasLockedKeys(cache, plan, LayerPlan.plan(recipe, releases, installed));
      }
      for (BuildResult.Layer layer : layers) {
        descriptors.add(
            new Descriptor(
                MediaTypes.OCI_LAYER_GZIP,
                layer.digest(),
                layer.size(),
                Map.of(LAYER_ANNOTATION, layer.name())));
      }

      Path sbomTree = ws.newDir("sbom-tree");
      writeSbom(sbomTree, recipe, view.packages(), epoch, base.suite());
      LayerBlob sbom = writeLayer(store, writer, sbomTree, "sbom", timings);
      layers.add(new BuildResult.Layer("sbom", sbom.digest(), sbom.diffId(), sbom.size(), false));
      descriptors.add(
          new Descriptor(
              MediaTypes.OCI_LAYER_GZIP,
              sbom.digest(),
              sbom.size(),
              Map.of(LAYER_ANNOTATION, "sbom")));
      history.add(new ImageConfig.History("appliance sbom " + Sbom.PATH, "sbom"));

      if (!options.store()) {
        return new BuildResult(null, null, layers, timings.all(), installed);
      }
      Provenance provenance = provenanceOf.get();
      String tag = options.tag() != null ? options.tag() : recipe.name() + ":" + recipe.version();
      Descriptor manifest =
          timings.time(
              "store image",
              () ->
                  storeImage(
                      store, recipe, view, provenance, epoch, layers, descriptors, history, tag));
      return new BuildResult(tag, manifest, layers, timings.all(), installed);
    } catch (ApplianceException | InvalidInputException | UncheckedIOException e) {
      throw e;
    } catch (Exception e) {
      throw new ApplianceException("build of " + recipe.source() + " failed: " + e.getMessage(), e);
    } finally {
      // Stop a writer still reading a layer directory before the workspace deletes it.
      layerWriting.shutdownNow();
      try {
        layerWriting.awaitTermination(5, TimeUnit.MINUTES);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
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

  private static LayerWriter writerFor(LayerPlan.Step step, LayerWriter writer) {
    return step.kind() == LayerPlan.Kind.BASE ? writer.forBaseLayer() : writer;
  }

  private static BuildResult.Layer layer(LayerPlan.Step step, LayerBlob blob) {
    return new BuildResult.Layer(step.name(), blob.digest(), blob.diffId(), blob.size(), false);
  }

  private static BuildResult.Layer await(Future<BuildResult.Layer> layer) {
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

  private static void requireRoot() {
    if (!HostTools.isRoot()) {
      throw new ApplianceException(
          "appliance build needs root: it runs mmdebstrap in root mode, mounts"
              + " overlayfs and chroots into the image; without root, run it in a user namespace"
              + " (UserNamespace.rerunThisProcess, which 'appliance build' does by itself)");
    }
  }

  private Map<String, Instant> releaseDates(DebianMirror mirror, List<String> suites) {
    Map<String, Instant> dates = new TreeMap<>();
    for (String suite : suites) {
      dates.put(suite, mirror.releaseDate(suite));
    }
    return dates;
  }

  private LayerBlob writeLayer(
      ImageStore store, LayerWriter writer, Path tree, String name, Timings timings) {
    return timings.time(
        "write layer " + name,
        () -> {
          try (BlobWriter blob = store.newBlob()) {
            long total = LayerWriter.estimateTarSize(tree);
            LayerBlob layer =
                writer.write(
                    tree,
                    blob,
                    n ->
                        listener.progress(
                            "layer " + name, total > 0 ? Math.min(n, total) : n, total));
            Descriptor stored = blob.commit(MediaTypes.OCI_LAYER_GZIP, layer.digest());
            if (stored.size() != layer.size()) {
              throw new ApplianceException(
                  "layer "
                      + name
                      + ": wrote "
                      + stored.size()
                      + " bytes, expected "
                      + layer.size());
            }
            return layer;
          } catch (IOException e) {
            throw storeWriteFailed(store, name, e);
          } catch (UncheckedIOException e) {
            throw storeWriteFailed(store, name, e.getCause());
          }
        });
  }

  private static ApplianceException storeWriteFailed(
      ImageStore store, String layer, IOException cause) {
    String message = String.valueOf(cause.getMessage());
    boolean full =
        message.contains("No space left on device") || message.contains("Disk quota exceeded");
    return new ApplianceException(
        "cannot write layer "
            + layer
            + " into the store "
            + store.root()
            + ": "
            + message
            + (full
                ? "; its file system is full: free space there ('appliance gc' removes unused blobs)"
                    + " or set APPLIANCE_HOME to a larger one, then build again"
                : ""),
        cause);
  }

  private LockFile lockOf(
      List<DpkgStatus.Installed> packages, Map<String, Instant> releases, DebCache debs) {
    List<LockFile.LockedPackage> locked = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (DpkgStatus.Installed p : packages) {
      Optional<String> sha = debs.sha256Of(p.name(), p.version(), p.architecture());
      if (sha.isEmpty()) {
        missing.add(p.name() + "=" + p.version());
      }
      locked.add(
          new LockFile.LockedPackage(p.name(), p.version(), p.architecture(), sha.orElse("")));
    }
    if (!missing.isEmpty()) {
      listener.log(
          "warning: no cached .deb for "
              + missing.size()
              + " packages ("
              + String.join(", ", missing.subList(0, Math.min(5, missing.size())))
              + "): their SHA-256 is not known");
    }
    return new LockFile(releases, locked);
  }

  /**
   * A lock names versions; should apt still pick another (the versions missing from the mirror and
   * the cache are refused before any step runs), that must fail the build.
   */
  private static void checkLockHonoured(LockFile lock, LockFile installed, Path lockPath) {
    Map<String, String> wanted = new TreeMap<>();
    lock.packages().forEach(p -> wanted.put(p.name() + ":" + p.architecture(), p.version()));
    List<String> differing = new ArrayList<>();
    for (LockFile.LockedPackage p : installed.packages()) {
      String want = wanted.get(p.name() + ":" + p.architecture());
      if (want != null && !want.equals(p.version())) {
        differing.add(p.name() + " (locked " + want + ", installed " + p.version() + ")");
      }
    }
    if (!differing.isEmpty()) {
      throw new ApplianceException(
          lockPath
              + ": apt did not install these pinned versions: "
              + String.join(", ", differing)
              + "; run 'appliance lock' to move to the mirror's versions, or point --mirror at a snapshot");
    }
  }

  private static void writeSbom(
      Path tree, Recipe recipe, List<DpkgStatus.Installed> packages, long epoch, String suite) {
    try {
      Path file = tree.resolve(Sbom.PATH);
      Processes.check(List.of("mkdir", "-p", "-m", "0755", file.getParent().toString()));
      Files.write(
          file,
          Sbom.spdx(
              recipe.name(), recipe.version(), suite, packages, Instant.ofEpochSecond(epoch)));
      Processes.check(List.of("chmod", "0644", file.toString()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private Descriptor storeImage(
      ImageStore store,
      Recipe recipe,
      FinalView view,
      Provenance provenance,
      long epoch,
      List<BuildResult.Layer> layers,
      List<Descriptor> descriptors,
      List<ImageConfig.History> history,
      String tag) {
    ApplianceMetadata metadata = Metadata.of(recipe, view.kernels());
    Map<String, String> labels = new TreeMap<>(metadata.toLabels());
    labels.putAll(provenance.annotations());
    labels.put(ApplianceMetadata.PREFIX + "sbom", "/" + Sbom.PATH);
    labels.put(
        ApplianceMetadata.PREFIX + "base",
        recipe.base().distribution() + "/" + recipe.base().suite());
    Instant created = Instant.ofEpochSecond(epoch);
    List<Digest> diffIds = layers.stream().map(BuildResult.Layer::diffId).toList();
    ImageConfig config = ImageConfig.create(created, labels, diffIds, history);
    Map<String, String> annotations = new TreeMap<>(provenance.annotations());
    annotations.put("org.opencontainers.image.title", recipe.name());
    annotations.put("org.opencontainers.image.version", recipe.version());
    annotations.put("org.opencontainers.image.created", created.toString());
    if (recipe.description() != null && !recipe.description().isBlank()) {
      annotations.put("org.opencontainers.image.description", recipe.description());
    }
    Manifest manifest = Manifest.create(config.descriptor(), descriptors, annotations);
    try {
      Descriptor stored = store.putImage(config, manifest);
      store.tag(tag, stored);
      return stored;
    } catch (IOException e) {
      throw new ApplianceException("cannot store image " + tag + ": " + e.getMessage(), e);
    }
  }

  private static String shortHash(String s) {
    return java.util.HexFormat.of()
        .formatHex(LayerWriter.sha256().digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
        .substring(0, 16);
  }

  /** Stage durations, reported as they end. */
  private static final class Timings {
    private final BuildListener listener;
    private final Map<String, Duration> all = new LinkedHashMap<>();

    Timings(BuildListener listener) {
      this.listener = listener;
    }

    <T> T time(String stage, Supplier<T> work) {
      return time(stage, work, result -> "");
    }

    /** As {@link #time(String, Supplier)}, reporting a detail made from the stage's result. */
    <T> T time(String stage, Supplier<T> work, Function<T, String> detail) {
      listener.stageStarted(stage);
      long start = System.nanoTime();
      T result = work.get();
      Duration d = Duration.ofNanos(System.nanoTime() - start);
      synchronized (all) {
        all.merge(stage, d, Duration::plus);
      }
      listener.stageFinished(stage, d, detail.apply(result));
      return result;
    }

    Map<String, Duration> all() {
      synchronized (all) {
        return Collections.unmodifiableMap(new LinkedHashMap<>(all));
      }
    }
  }
}
