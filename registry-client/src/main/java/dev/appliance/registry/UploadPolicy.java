package dev.appliance.registry;

/**
 * How blobs are uploaded: in one request (POST, then PUT with the bytes and the digest) up to
 * {@code monolithicLimit} bytes; larger blobs in PATCH chunks of {@code chunkBytes}, or of the
 * registry's minimum chunk size if it asks for more ({@code OCI-Chunk-Min-Length}), then a PUT with
 * the digest.
 */
record UploadPolicy(long monolithicLimit, long chunkBytes) {
  /** Layers of real images fit in one request; only huge ones are split. */
  static final UploadPolicy DEFAULT = new UploadPolicy(512L << 20, 64L << 20);

  UploadPolicy {
    if (monolithicLimit < 0 || chunkBytes < 1) {
      throw new IllegalArgumentException("upload limits must be positive");
    }
  }
}
