package dev.appliance.registry;

import dev.appliance.oci.Descriptor;

/**
 * Progress of a push or pull, for progress bars or plain stage lines. Called from the transferring
 * thread; implementations must be quick.
 */
public interface TransferListener {
  TransferListener NONE = new TransferListener() {};

  /** A step worth one line: "checking ...", "retrying ... in 2 s". */
  default void stage(String message) {}

  /** A blob (layer or config) starts moving. */
  default void blobStarted(Descriptor blob) {}

  /** {@code bytesDone} of the blob have moved (cumulative within one attempt). */
  default void blobProgress(Descriptor blob, long bytesDone) {}

  /** The blob is done: transferred, or {@code skipped} because the other side had it. */
  default void blobFinished(Descriptor blob, boolean skipped) {}
}
