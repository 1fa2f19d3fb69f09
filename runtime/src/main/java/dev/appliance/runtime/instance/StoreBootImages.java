package dev.appliance.runtime.instance;

import dev.appliance.common.ApplianceDirs;
import dev.appliance.oci.ApplianceMetadata;
import dev.appliance.oci.DataFormat;
import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageReference;
import dev.appliance.registry.ImagePuller;
import dev.appliance.registry.ManifestGate;
import dev.appliance.registry.RegistryOptions;
import dev.appliance.registry.TransferListener;
import dev.appliance.runtime.disk.DiskAssembler;
import dev.appliance.runtime.disk.ImageFiles;
import dev.appliance.runtime.disk.ImageLayers;
import dev.appliance.runtime.engine.BootSpec;
import dev.appliance.runtime.engine.UmlKernel;
import dev.appliance.store.ImageStore;
import dev.appliance.store.StoredImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Images from the local store, pulled from their registry first when a reference that names a
 * registry is not local. The root disk and the kernels are cached per image digest, so a second run
 * of the same image starts its engine at once.
 */
public final class StoreBootImages implements BootImageResolver {
  private final ApplianceDirs dirs;
  private final RegistryOptions registry;
  private final TransferListener listener;
  private final ImageLimits limits;
  private final ManifestGate gate;
  private final boolean pullAlways;

  /** With {@link ImageLimits#DEFAULTS}. */
  public StoreBootImages(ApplianceDirs dirs, RegistryOptions registry, TransferListener listener) {
    this(dirs, registry, listener, ImageLimits.DEFAULTS);
  }

  /**
   * @param registry how to reach a registry when the image must be pulled
   * @param limits what an image may ask of this host, checked before its disk is assembled
   */
  public StoreBootImages(
      ApplianceDirs dirs, RegistryOptions registry, TransferListener listener, ImageLimits limits) {
    this(dirs, registry, listener, limits, ManifestGate.OPEN);
  }

  /**
   * @param gate checks an image to be pulled (the signature policy) before anything of it is
   *     downloaded
   */
  public StoreBootImages(
      ApplianceDirs dirs,
      RegistryOptions registry,
      TransferListener listener,
      ImageLimits limits,
      ManifestGate gate) {
    this(dirs, registry, listener, limits, gate, false);
  }

  private StoreBootImages(
      ApplianceDirs dirs,
      RegistryOptions registry,
      TransferListener listener,
      ImageLimits limits,
      ManifestGate gate,
      boolean pullAlways) {
    this.dirs = dirs;
    this.registry = registry;
    this.listener = listener;
    this.limits = limits;
    this.gate = gate;
    this.pullAlways = pullAlways;
  }

  /**
   * The same, but a reference that names a registry is pulled again even when it is local (through
   * the same gate): {@code upgrade} re-resolves a tag that may have moved.
   */
  public StoreBootImages pullingAlways() {
    return new StoreBootImages(dirs, registry, listener, limits, gate, true);
  }

  @Override
  public BootImage resolve(String reference, Consumer<String> progress) {
    ImageStore store = ImageStore.open(dirs.store());
    Optional<StoredImage> local = store.find(reference);
    StoredImage image;
    boolean remote = ImageReference.parse(reference).hasRegistry();
    if (local.isPresent() && !(pullAlways && remote)) {
      image = local.get();
    } else if (remote) {
      progress.accept("pulling " + reference);
      String name = new ImagePuller(store, registry, listener, gate).pull(reference).localName();
      image = store.get(name);
    } else {
      image = store.get(reference); // the store's "not in the local store" error
    }
    ApplianceMetadata meta = limits.check(image.metadata(), reference);
    String digest = image.descriptor().digest().toString();
    ImageLayers layers = ImageLayers.of(reference, image);
    DiskAssembler assembler = new DiskAssembler(dirs);
    if (!Files.exists(assembler.cachedPath(layers, meta.diskBytes()))) {
      progress.accept("assembling the root disk of " + reference + " (once per image)");
    }
    Path disk = assembler.assemble(layers, meta.diskBytes());
    return new BootImage(
        reference,
        digest,
        meta,
        disk,
        kernels(layers, meta.kernels(), digest),
        fromRegistry(store, reference, image.descriptor().digest()),
        DataFormat.fromLabels(image.config().labels(), reference).orElse(null));
  }

  /**
   * An image counts as a local build only when the user named it locally and every name it has in
   * the store is local: a pulled image keeps its registry name (and one pulled by digest has no
   * name at all), so retagging it does not launder it.
   */
  static boolean fromRegistry(ImageStore store, String reference, Digest digest) {
    if (ImageReference.parse(reference).hasRegistry()) {
      return true;
    }
    List<ImageStore.Tag> names =
        store.tags().stream().filter(t -> t.manifest().digest().equals(digest)).toList();
    return names.isEmpty()
        || names.stream().anyMatch(t -> ImageReference.parse(t.name()).hasRegistry());
  }

  private BootSpec.Kernels kernels(
      ImageLayers layers, ApplianceMetadata.Kernels paths, String digest) {
    if (paths == null) {
      return new BootSpec.Kernels(null, null, null);
    }
    ImageFiles files = new ImageFiles(dirs);
    List<String> wanted = new ArrayList<>();
    Optional.ofNullable(paths.qemuKernel()).ifPresent(wanted::add);
    Optional.ofNullable(paths.qemuInitrd()).ifPresent(wanted::add);
    Map<String, Path> extracted =
        wanted.isEmpty() ? Map.of() : files.extract(layers, wanted).files();
    Path uml =
        paths.umlKernel() == null
            ? null
            : UmlKernel.prepare(
                files.extractProgram(layers, paths.umlKernel()),
                dirs.data().resolve("cache/uml").resolve(digest.replace(':', '-')));
    return new BootSpec.Kernels(
        paths.qemuKernel() == null ? null : extracted.get(paths.qemuKernel()),
        paths.qemuInitrd() == null ? null : extracted.get(paths.qemuInitrd()),
        uml);
  }
}
