package dev.appliance.store;

import dev.appliance.common.ApplianceException;
import dev.appliance.oci.Digest;

/**
 * A blob in the local store whose bytes do not match its digest or size, or that
 * is missing. The store has already set a damaged blob aside, so the next pull
 * fetches it again. An operation failure (exit code 1): the image itself may be
 * fine, its local copy is not.
 */
public final class DamagedBlobException extends ApplianceException {
    private final Digest blob;

    DamagedBlobException(String what, Digest blob, String problem) {
        super(what + ": blob " + blob + " in the local store is damaged (" + problem + ")."
                + " Pull the image again ('appliance pull REF') or rebuild it; 'appliance store verify' lists"
                + " every damaged blob and the images that need it");
        this.blob = blob;
    }

    public Digest blob() {
        return blob;
    }
}
