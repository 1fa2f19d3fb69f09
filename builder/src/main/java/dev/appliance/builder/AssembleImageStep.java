package dev.appliance.builder;

import dev.appliance.common.ApplianceException;
import dev.appliance.oci.ApplianceMetadata;
import dev.appliance.oci.DataFormat;
import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageConfig;
import dev.appliance.oci.Manifest;
import dev.appliance.oci.MediaTypes;
import dev.appliance.oci.StateDirs;
import dev.appliance.recipe.Recipe;
import dev.appliance.store.ImageStore;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * Stores the image config and manifest of the written layers and sets the tag, last: an interrupted
 * build leaves no image.
 */
final class AssembleImageStep implements Callable<Descriptor> {
  /** What goes into the config and manifest besides the layers. */
  record Image(Recipe recipe, FinalView view, Provenance provenance, long epoch, String tag) {}

  private final ImageStore store;
  private final Image image;
  private final List<BuildResult.Layer> layers;
  private final List<ImageConfig.History> history;

  AssembleImageStep(
      ImageStore store,
      Image image,
      List<BuildResult.Layer> layers,
      List<ImageConfig.History> history) {
    this.store = store;
    this.image = image;
    this.layers = layers;
    this.history = history;
  }

  @Override
  public Descriptor call() {
    Recipe recipe = image.recipe();
    Instant created = Instant.ofEpochSecond(image.epoch());
    List<Digest> diffIds = layers.stream().map(BuildResult.Layer::diffId).toList();
    ImageConfig config = ImageConfig.create(created, labels(), diffIds, history);
    Map<String, String> annotations = new TreeMap<>(image.provenance().annotations());
    annotations.put("org.opencontainers.image.title", recipe.name());
    annotations.put("org.opencontainers.image.version", recipe.version());
    annotations.put("org.opencontainers.image.created", created.toString());
    if (recipe.description() != null && !recipe.description().isBlank()) {
      annotations.put("org.opencontainers.image.description", recipe.description());
    }
    List<Descriptor> descriptors =
        layers.stream()
            .map(
                layer ->
                    new Descriptor(
                        MediaTypes.OCI_LAYER_GZIP,
                        layer.digest(),
                        layer.size(),
                        Map.of(ImageBuilder.LAYER_ANNOTATION, layer.name())))
            .toList();
    Manifest manifest = Manifest.create(config.descriptor(), descriptors, annotations);
    try {
      Descriptor stored = store.putImage(config, manifest);
      store.tag(image.tag(), stored);
      return stored;
    } catch (IOException e) {
      throw new ApplianceException("cannot store image " + image.tag() + ": " + e.getMessage(), e);
    }
  }

  private Map<String, String> labels() {
    Recipe recipe = image.recipe();
    ApplianceMetadata metadata = Metadata.of(recipe, image.view().kernels());
    Map<String, String> labels = new TreeMap<>(metadata.toLabels());
    labels.putAll(image.provenance().annotations());
    labels.put(ApplianceMetadata.PREFIX + "sbom", "/" + Sbom.PATH);
    if (image.recipe().data() != null) {
      labels.put(DataFormat.LABEL, image.recipe().data().toLabel());
    }
    // The whole chain's, as the layers empty them: export --kubevirt keeps them on a volume.
    List<String> stateDirs =
        recipe.chain().stream().flatMap(r -> r.stateDirs().stream()).distinct().toList();
    if (!stateDirs.isEmpty()) {
      labels.put(StateDirs.LABEL, new StateDirs(stateDirs).toLabel());
    }
    labels.put(
        ApplianceMetadata.PREFIX + "base",
        recipe.base().distribution() + "/" + recipe.base().suite());
    return labels;
  }
}
