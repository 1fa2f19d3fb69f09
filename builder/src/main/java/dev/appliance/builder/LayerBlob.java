package dev.appliance.builder;

import dev.appliance.oci.Digest;

/**
 * A written layer's identities.
 *
 * @param digest digest of the compressed bytes (the blob digest)
 * @param diffId digest of the uncompressed tar (the config's diff_id)
 * @param size compressed size in bytes
 * @param entries number of tar entries written
 */
public record LayerBlob(Digest digest, Digest diffId, long size, long entries) {}
