package dev.appliance.builder;

import dev.appliance.common.ApplianceException;
import dev.appliance.oci.Descriptor;
import dev.appliance.oci.MediaTypes;
import dev.appliance.store.BlobWriter;
import dev.appliance.store.ImageStore;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Writes a layer directory as a gzip tar blob straight into the store, timed and with progress. */
final class StoreLayerWriter {
  private final ImageStore store;
  private final Timings timings;
  private final BuildListener listener;

  StoreLayerWriter(ImageStore store, Timings timings, BuildListener listener) {
    this.store = store;
    this.timings = timings;
    this.listener = listener;
  }

  LayerBlob write(LayerWriter writer, Path tree, String name) {
    return timings.time("write layer " + name, () -> writeUntimed(writer, tree, name));
  }

  private LayerBlob writeUntimed(LayerWriter writer, Path tree, String name) {
    try (BlobWriter blob = store.newBlob()) {
      long total = LayerWriter.estimateTarSize(tree);
      LayerBlob layer =
          writer.write(
              tree,
              blob,
              n -> listener.progress("layer " + name, total > 0 ? Math.min(n, total) : n, total));
      Descriptor stored = blob.commit(MediaTypes.OCI_LAYER_GZIP, layer.digest());
      if (stored.size() != layer.size()) {
        throw new ApplianceException(
            "layer " + name + ": wrote " + stored.size() + " bytes, expected " + layer.size());
      }
      return layer;
    } catch (IOException e) {
      throw writeFailed(name, e);
    } catch (UncheckedIOException e) {
      throw writeFailed(name, e.getCause());
    }
  }

  private ApplianceException writeFailed(String layer, IOException cause) {
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
}
