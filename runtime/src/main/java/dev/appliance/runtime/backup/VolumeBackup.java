package dev.appliance.runtime.backup;

import dev.appliance.common.ApplianceException;
import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageReference;
import dev.appliance.oci.Manifest;
import dev.appliance.registry.RegistryOptions;
import dev.appliance.registry.RemoteRepository;
import dev.appliance.registry.TransferListener;
import dev.appliance.runtime.host.RunRemedy;
import dev.appliance.runtime.instance.InstanceInfo;
import dev.appliance.runtime.instance.InstanceManager;
import dev.appliance.runtime.instance.VolumeStore;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.Arrays;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * {@code appliance volume backup}: pushes a volume to a registry as a {@link BackupFormat}
 * artifact. Every non-zero chunk is compressed and uploaded unless the repository already has that
 * blob (a previous backup, or an interrupted run of this one), so a second backup sends only what
 * changed. The manifest goes last: the tag moves only once every blob is in the registry.
 */
public final class VolumeBackup {
  /**
   * @param stop stop the running instances attaching the volume, and start them again afterwards
   * @param chunkSize bytes per chunk (a power of two from 64 KiB to 64 MiB)
   */
  public record Options(boolean stop, int chunkSize) {
    public Options {
      if (!BackupFormat.validChunkSize(chunkSize)) {
        throw new InvalidInputException(
            "--chunk-size: " + chunkSize + " is not a power of two from 64K to 64M");
      }
    }

    public static Options defaults() {
      return new Options(false, BackupFormat.DEFAULT_CHUNK);
    }
  }

  /**
   * What a backup did.
   *
   * @param manifest the digest of the pushed manifest (the tag now points at it)
   * @param volumeBytes the volume's size, holes included
   * @param uploadedChunks chunks sent to the registry, and their compressed bytes
   * @param skippedChunks chunks the registry already had, and their compressed bytes
   * @param emptyBytes bytes in all-zero chunks, not stored at all
   * @param restarted instances stopped for the backup and started again
   */
  public record Result(
      ImageReference reference,
      Digest manifest,
      long volumeBytes,
      int uploadedChunks,
      long uploadedBytes,
      int skippedChunks,
      long skippedBytes,
      long emptyBytes,
      List<String> restarted) {}

  /**
   * One chunk's outcome: stored (uploaded or found), or null for an all-zero chunk.
   *
   * @param content the SHA-256 of the uncompressed chunk, for the {@link ChunkIndex}
   */
  private record Sent(Chunk chunk, Digest content, boolean uploaded) {}

  private final InstanceManager instances;
  private final VolumeStore volumes;
  private final RegistryOptions registry;
  private final TransferListener listener;
  private final Clock clock;

  public VolumeBackup(
      InstanceManager instances,
      VolumeStore volumes,
      RegistryOptions registry,
      TransferListener listener,
      Clock clock) {
    this.instances = instances;
    this.volumes = volumes;
    this.registry = registry;
    this.listener = listener;
    this.clock = clock;
  }

  public Result backup(
      String volume, String reference, Options options, Consumer<String> progress) {
    if (!volumes.exists(volume)) {
      throw new InvalidInputException("no volume named " + volume + " (see appliance volume ls)");
    }
    ImageReference ref = RemoteRepository.parseReference(reference, "REF");
    if (ref.digest() != null) {
      throw new InvalidInputException(
          reference + ": a backup is stored under a tag, not a digest (e.g. REPOSITORY:daily)");
    }
    RemoteRepository repository = RemoteRepository.open(ref, registry, listener, true);
    try (QuietVolume quiet = QuietVolume.of(instances, volume, options.stop(), progress)) {
      return push(volume, ref, repository, options.chunkSize(), quiet);
    }
  }

  private Result push(
      String volume,
      ImageReference ref,
      RemoteRepository repository,
      int chunkSize,
      QuietVolume quiet) {
    Path disk = volumes.disk(volume);
    InstanceInfo owner = quiet.owner();
    try (FileChannel channel = FileChannel.open(disk, StandardOpenOption.READ)) {
      long size = channel.size();
      BackupConfig config =
          new BackupConfig(
              volume,
              size,
              chunkSize,
              "ext4",
              volumes.uuid(volume),
              owner == null ? "" : owner.name(),
              owner == null ? "" : owner.image(),
              clock.instant().truncatedTo(ChronoUnit.SECONDS));
      byte[] zeros = new byte[chunkSize];
      ChunkIndex known = ChunkIndex.read(volumes.backupIndex(volume));
      Optional<BitSet> withData = DataExtents.chunksWithData(disk, chunkSize);
      List<Sent> sent =
          ChunkWorkers.run(
              config.chunkCount(),
              index ->
                  withData.isPresent() && !withData.get().get((int) index)
                      ? null
                      : send(
                          channel,
                          index * chunkSize,
                          config.chunkLength(index * chunkSize),
                          zeros,
                          known,
                          repository));
      List<Chunk> chunks = sent.stream().filter(Objects::nonNull).map(Sent::chunk).toList();
      byte[] configJson = config.toJson();
      Descriptor configBlob =
          new Descriptor(
              BackupFormat.CONFIG_MEDIA_TYPE, Digest.sha256(configJson), configJson.length);
      repository.putBlob(configBlob.digest(), configJson);
      Manifest manifest = BackupManifest.create(config, configBlob, chunks);
      if (manifest.raw().length > RemoteRepository.MAX_DOCUMENT) {
        // A manifest restore would refuse to read: say so now, not on the day of the restore.
        throw new InvalidInputException(
            "volume "
                + volume
                + " has "
                + chunks.size()
                + " chunks with data: too many for one manifest",
            RunRemedy.LARGER_CHUNKS);
      }
      quiet.checkStillQuiet();
      repository.putManifest(ref.tagOrDigest(), manifest.raw(), manifest.mediaType());
      ChunkIndex.write(
          volumes.backupIndex(volume),
          sent.stream()
              .filter(Objects::nonNull)
              .map(s -> Map.entry(s.content(), s.chunk().blob()))
              .toList());
      return new Result(
          ref,
          manifest.digest(),
          size,
          count(sent, true),
          bytes(sent, true),
          count(sent, false),
          bytes(sent, false),
          size - storedBytes(sent, config),
          quiet.stopped());
    } catch (IOException e) {
      throw new ApplianceException("cannot read volume " + volume + ": " + e.getMessage(), e);
    }
  }

  /**
   * Reads one chunk and makes sure the repository has its blob: found through the index when the
   * last backup stored the same content, else compressed and uploaded unless the repository has it.
   * Null when the chunk is all zeros.
   */
  private Sent send(
      FileChannel channel,
      long offset,
      int length,
      byte[] zeros,
      ChunkIndex known,
      RemoteRepository repository)
      throws IOException {
    byte[] data = new byte[length];
    ByteBuffer buffer = ByteBuffer.wrap(data);
    while (buffer.hasRemaining()) {
      if (channel.read(buffer, offset + buffer.position()) < 0) {
        throw new IOException("the disk ended at " + (offset + buffer.position()));
      }
    }
    if (Arrays.mismatch(data, 0, length, zeros, 0, length) < 0) {
      return null;
    }
    Digest content = Digest.sha256(data);
    Optional<Descriptor> indexed = known.blob(content);
    if (indexed.isPresent() && repository.hasBlob(indexed.get().digest())) {
      listener.blobFinished(indexed.get(), true);
      return new Sent(new Chunk(offset, indexed.get()), content, false);
    }
    byte[] gzip = ChunkCodec.compress(data, length);
    Descriptor blob =
        new Descriptor(BackupFormat.CHUNK_MEDIA_TYPE, Digest.sha256(gzip), gzip.length);
    listener.blobStarted(blob);
    boolean uploaded = repository.putBlob(blob.digest(), gzip);
    listener.blobFinished(blob, !uploaded);
    return new Sent(new Chunk(offset, blob), content, uploaded);
  }

  private static long storedBytes(List<Sent> sent, BackupConfig config) {
    return sent.stream()
        .filter(Objects::nonNull)
        .mapToLong(s -> config.chunkLength(s.chunk().offset()))
        .sum();
  }

  private static int count(List<Sent> sent, boolean uploaded) {
    return (int) sent.stream().filter(s -> s != null && s.uploaded() == uploaded).count();
  }

  private static long bytes(List<Sent> sent, boolean uploaded) {
    return sent.stream()
        .filter(s -> s != null && s.uploaded() == uploaded)
        .mapToLong(s -> s.chunk().blob().size())
        .sum();
  }
}
