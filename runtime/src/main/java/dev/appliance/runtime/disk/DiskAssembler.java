package dev.appliance.runtime.disk;

import dev.appliance.common.ApplianceDirs;
import dev.appliance.common.InvalidInputException;
import dev.appliance.store.StoredImage;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Turns an image's layers into its ext4 root disk, once per image: the disk is cached under {@link
 * ApplianceDirs#diskCache()} by image digest and size, built in a temporary file and renamed into
 * place, so a reader never sees a half-written disk and a second call returns at once. Works
 * without root: owners, setuid modes, device nodes, hard links and xattrs come from the layer tars,
 * not from the host. Callers must not write to the returned file: use it as a read-only backing
 * file (a qcow2 overlay, or a copy) for each instance.
 */
public final class DiskAssembler {
  /** Smallest disk we make: room for the ext4 metadata and journal of a tiny image. */
  public static final long MIN_SIZE_BYTES = 16L << 20;

  private final Path cacheDir;

  public DiskAssembler(ApplianceDirs dirs) {
    this(dirs.diskCache());
  }

  /**
   * @param cacheDir where disks are kept; created on first use
   */
  public DiskAssembler(Path cacheDir) {
    this.cacheDir = cacheDir;
  }

  /**
   * The root disk of {@code image}, {@code sizeBytes} long (the image's {@code diskBytes}), built
   * now or taken from the cache.
   *
   * @throws InvalidInputException when a layer holds an entry that would escape the image root,
   *     naming the layer and entry; nothing is cached then
   * @throws dev.appliance.common.ApplianceException when building fails (disk too small, tool
   *     missing)
   */
  public Path assemble(ImageLayers image, long sizeBytes) {
    if (sizeBytes < MIN_SIZE_BYTES) {
      throw new InvalidInputException(
          image.image()
              + ": disk size "
              + sizeBytes
              + " bytes is below the minimum of "
              + MIN_SIZE_BYTES);
    }
    // Round down to whole 4 KiB blocks, as mke2fs would use them anyway.
    long size = sizeBytes & ~4095L;
    Path target = cachedPath(image, size);
    return CacheEntry.get(
        target,
        (temp, work) -> {
          StagingDirectory staging =
              new StagingDirectory(Files.createDirectory(work.resolve("root")));
          ImageTree tree = new ImageTree(staging, LayerLimits.forDisk(size));
          for (int i = 0; i < image.layers().size(); i++) {
            tree.addLayer(image, i);
          }
          Ext4Writer.write(tree, staging, temp, size, image.digest(), work);
        });
  }

  /** The root disk of a stored image, at the size its metadata asks for. */
  public Path assemble(StoredImage image) {
    return assemble(ImageLayers.of(image), image.metadata().diskBytes());
  }

  /** A disk of {@code image} already in the cache, whatever its size. */
  public Optional<Path> anyCached(ImageLayers image) {
    if (!Files.isDirectory(cacheDir)) {
      return Optional.empty();
    }
    try (DirectoryStream<Path> disks =
        Files.newDirectoryStream(cacheDir, image.cacheKey() + "-*.ext4")) {
      for (Path disk : disks) {
        return Optional.of(disk);
      }
      return Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Where the disk of {@code image} at {@code sizeBytes} is (or will be) cached. */
  public Path cachedPath(ImageLayers image, long sizeBytes) {
    return cacheDir.resolve(image.cacheKey() + "-" + (sizeBytes & ~4095L) + ".ext4");
  }
}
