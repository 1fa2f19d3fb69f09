package dev.appliance.runtime.disk;

import dev.appliance.common.InvalidInputException;
import dev.appliance.store.StoredImage;

import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The layers of one image, as disk assembly and file extraction read them.
 *
 * @param image  the image's name as the user wrote it; used in error messages only
 * @param digest the image's manifest digest ({@code sha256:<hex>}); the cache key
 * @param layers layer blobs (tar+gzip, or plain tar), bottom layer first
 */
public record ImageLayers(String image, String digest, List<Path> layers) {
    private static final Pattern DIGEST = Pattern.compile("[a-z0-9]+(?:[+._-][a-z0-9]+)*:[a-zA-Z0-9=_-]+");

    public ImageLayers {
        layers = List.copyOf(layers);
        if (digest == null || !DIGEST.matcher(digest).matches()) {
            throw new InvalidInputException(image + ": not a valid digest: " + digest);
        }
    }

    /** The layers of an image in the local store, keyed by its manifest digest. */
    public static ImageLayers of(StoredImage image) {
        return new ImageLayers(image.name(), image.manifest().digest().toString(), image.layerFiles());
    }

    /** A file-name-safe form of the digest, e.g. {@code sha256-0123...}. */
    String cacheKey() {
        return digest.replace(':', '-');
    }

    /** How errors name layer {@code index}: image, image digest, position and layer digest (from the store's blob path). */
    String describeLayer(int index) {
        Path blob = layers.get(index);
        Path algorithm = blob.getParent() == null ? null : blob.getParent().getFileName();
        String layer = (algorithm == null ? "" : algorithm + ":") + blob.getFileName();
        return image + " (" + digest + ") layer " + (index + 1) + " " + layer;
    }
}
