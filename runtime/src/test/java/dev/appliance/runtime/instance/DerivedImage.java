package dev.appliance.runtime.instance;

import dev.appliance.common.ApplianceDirs;
import dev.appliance.oci.ApplianceMetadata;
import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageConfig;
import dev.appliance.oci.Manifest;
import dev.appliance.oci.MediaTypes;
import dev.appliance.runtime.disk.TestLayer;
import dev.appliance.store.ImageStore;
import dev.appliance.store.StoredImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import java.util.zip.GZIPInputStream;

/**
 * The {@link TestImage} with one more layer and its own labels, stored (once per content) in the
 * shared store: images that differ from the test appliance only in what a test is about.
 */
final class DerivedImage {
  private DerivedImage() {}

  /**
   * @param name the image name; the tag is the image's digest, so a change makes a new one
   * @param metadata the test image's metadata to this image's
   * @param extraLabels labels beside the metadata's (e.g. {@code dev.appliance.data})
   * @return the reference to run
   */
  static String store(
      ApplianceDirs dirs,
      String name,
      TestLayer layer,
      UnaryOperator<ApplianceMetadata> metadata,
      Map<String, String> extraLabels)
      throws IOException {
    ImageStore store = ImageStore.open(dirs.data().resolve("store"));
    StoredImage base = store.get(TestImage.REFERENCE);
    Map<String, String> labels =
        new TreeMap<>(metadata.apply(base.config().appliance(TestImage.REFERENCE)).toLabels());
    labels.putAll(extraLabels);
    try (AutoCloseable lock = store.lockForWrite()) {
      // Content-addressed: storing the same image again changes nothing.
      Descriptor image = put(store, base, layer, labels);
      String reference = name + ":" + image.digest().toString().substring(7, 19);
      store.tag(reference, image);
      return reference;
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new IOException(e);
    }
  }

  /** The test image's metadata with another name, version, ports and health check. */
  static ApplianceMetadata metadata(
      ApplianceMetadata base,
      String name,
      String version,
      List<ApplianceMetadata.Port> ports,
      ApplianceMetadata.HealthCheck health) {
    return new ApplianceMetadata(
        name,
        version,
        ports,
        health,
        base.memoryMiB(),
        base.cpus(),
        base.diskBytes(),
        base.kernels(),
        base.kernelCmdline(),
        base.params());
  }

  private static Descriptor put(
      ImageStore store, StoredImage base, TestLayer content, Map<String, String> labels)
      throws IOException {
    Path layer = content.writeTo(store.tempFile());
    Descriptor layerDescriptor =
        store.putBlobFile(layer, MediaTypes.OCI_LAYER_GZIP, sha256(layer, false));
    Digest diffId = sha256(layer, true);
    Files.deleteIfExists(layer);
    List<Digest> diffIds = new ArrayList<>(base.config().diffIds());
    diffIds.add(diffId);
    List<Descriptor> layers = new ArrayList<>(base.manifest().layers());
    layers.add(layerDescriptor);
    ImageConfig config =
        ImageConfig.create(
            Instant.parse("2026-01-01T00:00:00Z"),
            labels,
            diffIds,
            List.of(
                new ImageConfig.History("make-test-image.sh", "runtime test image"),
                new ImageConfig.History("DerivedImage", "test layer")));
    return store.putImage(config, Manifest.create(config.descriptor(), layers, Map.of()));
  }

  private static Digest sha256(Path file, boolean uncompressed) throws IOException {
    MessageDigest sha = Digest.newSha256();
    try (InputStream raw = Files.newInputStream(file);
        InputStream in =
            new DigestInputStream(uncompressed ? new GZIPInputStream(raw) : raw, sha)) {
      in.transferTo(java.io.OutputStream.nullOutputStream());
    }
    return Digest.fromSha256(sha.digest());
  }
}
