package dev.appliance.runtime.backup;

import dev.appliance.oci.Descriptor;
import java.util.Map;

/** One stored chunk of a backup: where it goes in the volume and the compressed blob holding it. */
record Chunk(long offset, Descriptor blob) {
  /** The layer descriptor of the manifest: the blob annotated with its offset. */
  Descriptor layer() {
    return blob.withAnnotations(Map.of(BackupFormat.OFFSET, Long.toString(offset)));
  }
}
