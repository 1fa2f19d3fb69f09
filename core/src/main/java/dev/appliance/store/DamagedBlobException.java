package dev.appliance.store;

import dev.appliance.common.ApplianceException;
import dev.appliance.oci.Digest;

/**
 * A blob in the local store whose bytes do not match its digest or size, or that is missing. The
 * store has already set a damaged blob aside, so the next pull fetches it again. An operation
 * failure (exit code 1): the image itself may be fine, its local copy is not.
 */
public final class DamagedBlobException extends ApplianceException {
  private final Digest blob;

  DamagedBlobException(String what, Digest blob, String problem) {
    super(
        what
            + ": blob "
            + blob
            + " in the local store is damaged ("
            + problem
            + ")."
            + " Pull the image again ('appliance pull REF') or rebuild it; 'appliance store verify' lists"
            + " every damaged blob and the images that need it");
    this.blob = blob;
  }

  public Digest blob() {
    return blob;
  }

  /**
   * What to report for {@code failure}, an error met while reading a blob: the damage, when closing
   * the blob's {@link VerifyingBlobStream} found it (then it is the cause: a decompressor or parser
   * fails on damaged bytes before the end of the blob is reached), else {@code otherwise}.
   */
  public static RuntimeException explaining(Throwable failure, RuntimeException otherwise) {
    if (failure instanceof DamagedBlobException damaged) {
      return damaged;
    }
    for (Throwable suppressed : failure.getSuppressed()) {
      if (suppressed instanceof DamagedBlobException damaged) {
        return damaged;
      }
    }
    return otherwise;
  }
}
