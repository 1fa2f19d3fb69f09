package dev.appliance.builder;

import dev.appliance.common.ApplianceException;
import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.Descriptor;
import dev.appliance.oci.ImageConfig;
import dev.appliance.store.StoredImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/** What {@code appliance inspect} shows about a stored image. */
public final class Inspector {
  private Inspector() {}

  /** One layer: what it holds (from its annotation), digest and compressed size. */
  public record LayerInfo(String name, String digest, long size) {}

  /**
   * @param provenance OCI annotations of the manifest (revision, source, created, ...)
   */
  public record ImageInfo(
      String name,
      String digest,
      Map<String, String> labels,
      List<LayerInfo> layers,
      long totalSize,
      Map<String, String> provenance,
      String created) {}

  public static ImageInfo info(StoredImage image) {
    List<LayerInfo> layers = new ArrayList<>();
    for (Descriptor d : image.manifest().layers()) {
      layers.add(
          new LayerInfo(
              d.annotations().getOrDefault(ImageBuilder.LAYER_ANNOTATION, ""),
              d.digest().toString(),
              d.size()));
    }
    ImageConfig config = image.config();
    return new ImageInfo(
        image.name(),
        image.descriptor().digest().toString(),
        new TreeMap<>(config.labels()),
        layers,
        image.manifest().layersSize(),
        new TreeMap<>(image.manifest().annotations()),
        config.created() == null ? null : config.created().toString());
  }

  /** Whether the image has a layer annotated "sbom" (as appliance build writes). */
  public static boolean hasSbom(StoredImage image) {
    return image.manifest().layers().stream()
        .anyMatch(l -> "sbom".equals(l.annotations().get(ImageBuilder.LAYER_ANNOTATION)));
  }

  /**
   * The SPDX SBOM the image carries: the file {@value Sbom#PATH} of its layer annotated "sbom" (the
   * top one), read without unpacking any other layer.
   */
  public static byte[] sbom(StoredImage image) {
    List<Descriptor> layers = image.manifest().layers();
    for (int i = layers.size() - 1; i >= 0; i--) {
      if ("sbom".equals(layers.get(i).annotations().get(ImageBuilder.LAYER_ANNOTATION))) {
        byte[] content = readFile(image, i, Sbom.PATH);
        if (content != null) {
          return content;
        }
      }
    }
    throw new InvalidInputException(
        image.name() + ": the image carries no SBOM (it was not built by appliance build)");
  }

  private static byte[] readFile(StoredImage image, int layer, String path) {
    try (InputStream in =
            new GZIPInputStream(Files.newInputStream(image.layerFiles().get(layer)), 1 << 16);
        TarArchiveInputStream tar = new TarArchiveInputStream(in, StandardCharsets.UTF_8.name())) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        if (e.getName().replaceFirst("^\\./", "").equals(path)) {
          return tar.readAllBytes();
        }
      }
      return null;
    } catch (IOException e) {
      throw new ApplianceException(
          image.name() + ": cannot read layer " + layer + ": " + e.getMessage(), e);
    }
  }
}
