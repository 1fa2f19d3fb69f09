package dev.appliance.runtime.backup;

/**
 * How a volume backup sits in a registry: an OCI 1.1 artifact (an image manifest with its own
 * artifactType) whose config is a {@link BackupConfig} and whose layers are the volume's non-empty
 * chunks, each gzip-compressed and annotated with its offset. All-zero chunks (the sparse file's
 * holes, or blocks the guest zeroed) are not stored. Documented in docs/backup.md.
 */
final class BackupFormat {
  static final String ARTIFACT_TYPE = "application/vnd.appliance.volume.v1";
  static final String CONFIG_MEDIA_TYPE = "application/vnd.appliance.volume.config.v1+json";
  static final String CHUNK_MEDIA_TYPE = "application/vnd.appliance.volume.chunk.v1+gzip";

  /** Layer annotation: the chunk's byte offset in the volume (decimal). */
  static final String OFFSET = "dev.appliance.volume.offset";

  static final String CREATED = "org.opencontainers.image.created";
  static final String VOLUME = "dev.appliance.volume.name";
  static final String INSTANCE = "dev.appliance.volume.instance";
  static final String IMAGE = "dev.appliance.volume.image";

  /** The default chunk: small enough that a small change re-sends little, large enough to gzip. */
  static final int DEFAULT_CHUNK = 4 << 20;

  static final int MIN_CHUNK = 64 << 10;
  static final int MAX_CHUNK = 64 << 20;

  /** A config is a few hundred bytes; anything much larger is not ours. */
  static final int MAX_CONFIG = 64 << 10;

  private BackupFormat() {}

  /**
   * The largest gzip stream one chunk can honestly need: deflate's stored blocks add 5 bytes per 16
   * KiB, gzip 18 bytes of header and trailer; the margin is generous.
   */
  static long maxCompressed(long chunkSize) {
    return chunkSize + chunkSize / 1024 + 1024;
  }

  static boolean validChunkSize(long chunkSize) {
    return chunkSize >= MIN_CHUNK && chunkSize <= MAX_CHUNK && Long.bitCount(chunkSize) == 1;
  }
}
