package dev.appliance.runtime.backup;

import dev.appliance.common.ApplianceException;
import dev.appliance.common.FileTrees;
import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageReference;
import dev.appliance.oci.Manifest;
import dev.appliance.registry.RegistryOptions;
import dev.appliance.registry.RemoteRepository;
import dev.appliance.registry.TransferListener;
import dev.appliance.runtime.host.RunRemedy;
import dev.appliance.runtime.instance.InstanceManager;
import dev.appliance.runtime.instance.VolumeMount;
import dev.appliance.runtime.instance.VolumeStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;

/**
 * {@code appliance volume restore}: rebuilds a volume from a {@link BackupFormat} artifact. The
 * manifest and config are untrusted: their media types, sizes, chunk count and offsets are checked
 * before any chunk is fetched; every chunk is checked against its digest and must expand to exactly
 * its length. The disk is written beside the volumes and moved into place only when complete, so a
 * failed restore leaves no volume and an existing one as it was.
 */
public final class VolumeRestore {
  /** The default --max-size: far above a normal volume, far below a disk-filling attack. */
  public static final long DEFAULT_MAX_SIZE = 1L << 40;

  /**
   * What a restore did.
   *
   * @param downloadedBytes compressed bytes fetched
   */
  public record Result(
      String volume,
      Digest manifest,
      long volumeBytes,
      int chunks,
      long downloadedBytes,
      String uuid,
      String instance,
      String image) {}

  private final InstanceManager instances;
  private final VolumeStore volumes;
  private final RegistryOptions registry;
  private final TransferListener listener;

  public VolumeRestore(
      InstanceManager instances,
      VolumeStore volumes,
      RegistryOptions registry,
      TransferListener listener) {
    this.instances = instances;
    this.volumes = volumes;
    this.registry = registry;
    this.listener = listener;
  }

  /**
   * @param replace replace an existing volume (--force)
   * @param maxSize refuse backups of larger volumes
   */
  public Result restore(String reference, String volume, boolean replace, long maxSize) {
    if (!VolumeMount.isName(volume)) {
      throw new InvalidInputException(
          "volume name "
              + BackupConfig.printable(volume)
              + ": 1 to 63 letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
    if (volumes.exists(volume) && !replace) {
      throw new InvalidInputException(
          "volume " + volume + " exists: restore into a new name", RunRemedy.REPLACE_VOLUME);
    }
    ImageReference ref = RemoteRepository.parseReference(reference, "REF");
    RemoteRepository repository = RemoteRepository.open(ref, registry, listener, false);
    RemoteRepository.RemoteManifest fetched =
        repository
            .manifest(ref.tagOrDigest())
            .orElseThrow(() -> new InvalidInputException(ref + ": no such backup in the registry"));
    if (ref.digest() != null && !ref.digest().equals(fetched.digest())) {
      throw new ApplianceException(
          ref + ": the registry returned manifest " + fetched.digest() + " for that digest");
    }
    String where = ref.toString();
    Manifest manifest = BackupManifest.parse(fetched.body(), where);
    BackupConfig config =
        BackupConfig.parse(
            repository.blob(manifest.config().digest(), manifest.config().size()), maxSize, where);
    List<Chunk> chunks = BackupManifest.chunks(manifest, config, where);

    Path staged = volumes.stage(volume);
    try {
      long downloaded = write(staged.resolve("disk.ext4"), config, chunks, repository, where);
      instances.installVolume(volume, staged, config.uuid(), replace);
      return new Result(
          volume,
          fetched.digest(),
          config.size(),
          chunks.size(),
          downloaded,
          config.uuid(),
          config.instance(),
          config.image());
    } finally {
      if (java.nio.file.Files.exists(staged)) {
        FileTrees.delete(staged);
      }
    }
  }

  /** Writes the disk: sparse, each stored chunk at its offset; the compressed bytes fetched. */
  private long write(
      Path disk,
      BackupConfig config,
      List<Chunk> chunks,
      RemoteRepository repository,
      String where) {
    try (FileChannel channel =
        FileChannel.open(disk, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
      channel.truncate(0);
      // A sparse file of the right size: holes read as the zeros the backup left out.
      channel.write(ByteBuffer.wrap(new byte[1]), config.size() - 1);
      byte[] zeros = new byte[(int) config.chunkSize()];
      List<Long> sizes =
          ChunkWorkers.run(
              chunks.size(),
              index -> {
                Chunk chunk = chunks.get((int) index);
                listener.blobStarted(chunk.blob());
                byte[] gzip = repository.blob(chunk.blob().digest(), chunk.blob().size());
                int length = config.chunkLength(chunk.offset());
                byte[] data =
                    ChunkCodec.decompress(
                        gzip, length, where + ": chunk at offset " + chunk.offset());
                if (Arrays.mismatch(data, 0, length, zeros, 0, length) >= 0) {
                  ByteBuffer buffer = ByteBuffer.wrap(data);
                  while (buffer.hasRemaining()) {
                    channel.write(buffer, chunk.offset() + buffer.position());
                  }
                }
                listener.blobFinished(chunk.blob(), false);
                return (long) gzip.length;
              });
      channel.force(true);
      return sizes.stream().mapToLong(Long::longValue).sum();
    } catch (IOException e) {
      throw new ApplianceException("cannot write " + disk + ": " + e.getMessage(), e);
    }
  }
}
