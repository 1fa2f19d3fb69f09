package dev.appliance.runtime.disk;

import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.Descriptor;
import dev.appliance.store.StoredImage;
import dev.appliance.store.VerifyingBlobStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The layers of one image, as disk assembly and file extraction read them.
 *
 * @param image the image's name as the user wrote it; used in error messages only
 * @param digest the image's manifest digest ({@code sha256:<hex>}); the cache key
 * @param layers layer blobs (tar+gzip, or plain tar), bottom layer first
 * @param expected for layers from the local store, their descriptors, checked as each layer is
 *     read; empty for files from elsewhere
 */
public record ImageLayers(
    String image, String digest, List<Path> layers, List<Descriptor> expected) {
  private static final Pattern DIGEST =
      Pattern.compile("[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+");

  public ImageLayers {
    layers = List.copyOf(layers);
    expected = List.copyOf(expected);
    if (digest == null || !DIGEST.matcher(digest).matches()) {
      throw new InvalidInputException(image + ": not a valid digest: " + digest);
    }
    if (!expected.isEmpty() && expected.size() != layers.size()) {
      throw new IllegalArgumentException(
          layers.size() + " layers but " + expected.size() + " descriptors");
    }
  }

  /** Layer files that are not checked against descriptors (written here, or test fixtures). */
  public ImageLayers(String image, String digest, List<Path> layers) {
    this(image, digest, layers, List.of());
  }

  /** The layers of an image in the local store, keyed by its manifest digest. */
  public static ImageLayers of(StoredImage image) {
    return of(image.name(), image);
  }

  /** Like {@link #of(StoredImage)}, named {@code name} in messages. */
  public static ImageLayers of(String name, StoredImage image) {
    return new ImageLayers(
        name, image.manifest().digest().toString(), image.layerFiles(), image.manifest().layers());
  }

  /** Opens layer {@code index}; a store's layer is checked for size and digest as it streams. */
  InputStream open(int index) throws IOException {
    return expected.isEmpty()
        ? Files.newInputStream(layers.get(index))
        : VerifyingBlobStream.open(layers.get(index), expected.get(index), describeLayer(index));
  }

  /** A file-name-safe form of the digest, e.g. {@code sha256-0123...}. */
  String cacheKey() {
    return digest.replace(':', '-');
  }

  /**
   * How errors name layer {@code index}: image, image digest, position and layer digest (from the
   * store's blob path).
   */
  String describeLayer(int index) {
    Path blob = layers.get(index);
    Path algorithm = blob.getParent() == null ? null : blob.getParent().getFileName();
    String layer = (algorithm == null ? "" : algorithm + ":") + blob.getFileName();
    return image + " (" + digest + ") layer " + (index + 1) + " " + layer;
  }
}
