package dev.appliance.builder;

import dev.appliance.common.ApplianceDirs;
import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.ApplianceMetadata;
import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Digest;
import dev.appliance.recipe.Recipe;
import dev.appliance.recipe.RecipeParser;
import dev.appliance.store.ImageStore;
import dev.appliance.store.StoredImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * {@code appliance verify --rebuild}: builds an image again from its recipe and lock file (from a
 * {@link RebuildSource}), every layer anew (no layer cache; the .deb cache is used, checked against
 * the lock's SHA-256), and compares the result with the stored image, layer by layer and, where
 * they differ, file by file ({@link ImageDiff}). The rebuilt image carries the original's
 * provenance annotations: they are the claim being checked, not an input of the file systems.
 */
public final class Rebuild {
  private final ApplianceDirs dirs;
  private final BuildListener listener;

  public Rebuild(ApplianceDirs dirs, BuildListener listener) {
    this.dirs = dirs;
    this.listener = listener;
  }

  /** One layer position: {@code original} or {@code rebuilt} is null when only one image has it. */
  public record LayerComparison(int index, String name, Digest original, Digest rebuilt) {
    public boolean identical() {
      return original != null && original.equals(rebuilt);
    }
  }

  /**
   * @param source where the recipe came from ({@link RebuildSource#describe()})
   * @param files the paths that differ, when any layer does
   */
  public record Result(
      String image,
      String source,
      Digest original,
      Digest rebuilt,
      boolean configIdentical,
      List<LayerComparison> layers,
      List<ImageDiff.Change> files) {
    public boolean identical() {
      return original.equals(rebuilt);
    }
  }

  /**
   * The git commit {@code image} records (org.opencontainers.image.revision), to rebuild from.
   *
   * @throws InvalidInputException when it records none, or was built from uncommitted changes
   */
  public String recordedCommit(String image) {
    Provenance provenance = Provenance.fromAnnotations(store().get(image).manifest().annotations());
    if (provenance.revision() == null) {
      throw new InvalidInputException(
          image + " records no git commit (" + Provenance.REVISION + ")",
          BuildRemedy.REBUILD_FROM_DIRECTORY);
    }
    if (provenance.dirty()) {
      throw new InvalidInputException(
          image
              + " was built from a work tree with uncommitted changes ("
              + Provenance.DIRTY
              + "=true): its commit does not hold what was built",
          BuildRemedy.REBUILD_FROM_DIRECTORY);
    }
    return provenance.revision();
  }

  /** Rebuilds {@code image} from {@code source} and compares. The store keeps no new tag. */
  public Result verify(String image, RebuildSource source) {
    ImageStore store = store();
    StoredImage original = store.get(image);
    Path recipePath = source.recipe();
    if (!Files.isRegularFile(recipePath)) {
      throw new InvalidInputException(source.describe() + ": no recipe " + recipePath);
    }
    if (!Files.isRegularFile(LockFile.pathFor(recipePath))) {
      throw new InvalidInputException(
          source.describe()
              + ": no lock file "
              + LockFile.pathFor(recipePath).getFileName()
              + " beside the recipe; a rebuild needs the lock file the image was built with");
    }
    Recipe recipe = new RecipeParser().parse(recipePath);
    ApplianceMetadata metadata = original.metadata();
    if (!recipe.name().equals(metadata.name()) || !recipe.version().equals(metadata.version())) {
      throw new InvalidInputException(
          source.describe()
              + " builds "
              + recipe.name()
              + " "
              + recipe.version()
              + ", but "
              + image
              + " is "
              + metadata.name()
              + " "
              + metadata.version());
    }
    Provenance claimed = Provenance.fromAnnotations(original.manifest().annotations());
    String tag = "appliance-rebuild:" + UUID.randomUUID().toString().substring(0, 8);
    BuildResult built =
        new ImageBuilder(dirs, listener)
            .buildWithProvenance(
                recipe, BuildOptions.defaults().withLayerCache(false).withTag(tag), () -> claimed);
    try {
      StoredImage rebuilt = store.load(image + " (rebuilt)", built.manifest().digest());
      List<LayerComparison> layers = compareLayers(original, rebuilt);
      boolean same = original.descriptor().digest().equals(rebuilt.descriptor().digest());
      return new Result(
          image,
          source.describe(),
          original.descriptor().digest(),
          rebuilt.descriptor().digest(),
          original.config().digest().equals(rebuilt.config().digest()),
          layers,
          same ? List.of() : ImageDiff.diff(original, rebuilt));
    } finally {
      store.untag(tag);
    }
  }

  private static List<LayerComparison> compareLayers(StoredImage original, StoredImage rebuilt) {
    List<Descriptor> left = original.manifest().layers();
    List<Descriptor> right = rebuilt.manifest().layers();
    List<LayerComparison> layers = new ArrayList<>();
    for (int i = 0; i < Math.max(left.size(), right.size()); i++) {
      Descriptor l = i < left.size() ? left.get(i) : null;
      Descriptor r = i < right.size() ? right.get(i) : null;
      Map<String, String> names = (l != null ? l : r).annotations();
      layers.add(
          new LayerComparison(
              i + 1,
              names.getOrDefault(ImageBuilder.LAYER_ANNOTATION, ""),
              l == null ? null : l.digest(),
              r == null ? null : r.digest()));
    }
    return layers;
  }

  private ImageStore store() {
    return ImageStore.open(dirs.store());
  }
}
