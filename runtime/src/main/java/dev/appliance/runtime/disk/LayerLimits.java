package dev.appliance.runtime.disk;

/**
 * What merging one image's layers may cost the host, all layers together: bytes of regular files
 * (staged on the host's disk before mke2fs copies them) and entries (held in memory). Exceeding
 * either is the image's fault: an invalid image.
 *
 * @param maxFileBytes data bytes as the tar headers declare them (a sparse file counts its full
 *     size): those of regular files are staged; those of other entries are read and skipped, so
 *     they count too; xattr values are staged as files for debugfs and count as well
 * @param maxEntries tar entries read, whiteouts and links included
 */
record LayerLimits(long maxFileBytes, long maxEntries) {
  /**
   * Whatever the disk size: bounds the memory of the merged tree (a few hundred bytes per entry).
   */
  static final long MAX_ENTRIES = 1L << 21;

  /**
   * One entry's PAX or GNU long-name header: names, link targets and 64 KiB xattr values fit many
   * times over.
   */
  static final int MAX_HEADER_BYTES = 1 << 20;

  /**
   * Extended headers before one entry: tar writers emit at most a global, a PAX and a long name and
   * link.
   */
  static final int MAX_HEADERS_PER_ENTRY = 8;

  /**
   * ext4 gives a filesystem at most one inode per 4 KiB block: a disk cannot hold more entries than
   * that.
   */
  private static final long BYTES_PER_ENTRY = 4096;

  /** Reading without staging (file extraction): only the entry count is bounded. */
  static final LayerLimits UNSIZED = new LayerLimits(Long.MAX_VALUE, MAX_ENTRIES);

  /** What an image whose root disk is {@code diskBytes} long can hold. */
  static LayerLimits forDisk(long diskBytes) {
    return new LayerLimits(
        diskBytes, Math.min(MAX_ENTRIES, Math.max(1, diskBytes / BYTES_PER_ENTRY)));
  }
}
