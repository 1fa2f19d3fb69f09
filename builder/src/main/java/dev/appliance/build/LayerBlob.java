package dev.appliance.build;

import java.nio.file.Path;

/**
 * A written layer: the gzip file and its identities.
 *
 * @param file    the compressed tar on disk
 * @param digest  {@code sha256:...} of the compressed bytes (the blob digest)
 * @param diffId  {@code sha256:...} of the uncompressed tar (the config's diff_id)
 * @param size    compressed size in bytes
 * @param entries number of tar entries written
 */
public record LayerBlob(Path file, String digest, String diffId, long size, long entries) {}
