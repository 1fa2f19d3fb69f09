package dev.appliance.runtime.backup;

import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Digest;
import dev.appliance.store.Durable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * The blob each chunk content compressed to in the volume's last backup, keyed by the SHA-256 of
 * the uncompressed chunk. Hashing is several times cheaper than gzip, so a backup of unchanged
 * chunks only hashes them and asks the registry whether it has the blob. Safe when stale:
 * compression is a pure function of the content, so a known blob always holds that content; and a
 * blob the registry lacks is compressed and uploaded as if unknown. An unreadable index is an empty
 * one.
 */
final class ChunkIndex {
  private static final Pattern LINE =
      Pattern.compile("([0-9a-f]{64}) ([0-9a-f]{64}) ([0-9]{1,12})");
  private static final long MAX_BYTES = 64L << 20;

  private final Map<Digest, Descriptor> blobs = new ConcurrentHashMap<>();

  static ChunkIndex read(Path file) {
    ChunkIndex index = new ChunkIndex();
    try {
      if (!Files.isRegularFile(file) || Files.size(file) > MAX_BYTES) {
        return index;
      }
      for (String line : Files.readAllLines(file, StandardCharsets.US_ASCII)) {
        var m = LINE.matcher(line);
        if (m.matches()) {
          index.blobs.put(
              Digest.parse("sha256:" + m.group(1)),
              new Descriptor(
                  BackupFormat.CHUNK_MEDIA_TYPE,
                  Digest.parse("sha256:" + m.group(2)),
                  Long.parseLong(m.group(3))));
        }
      }
    } catch (IOException | RuntimeException e) {
      index.blobs.clear(); // a cache: start over
    }
    return index;
  }

  Optional<Descriptor> blob(Digest content) {
    return Optional.ofNullable(blobs.get(content));
  }

  /** Replaces the index with the chunks of the backup just pushed. */
  static void write(Path file, List<Map.Entry<Digest, Descriptor>> chunks) {
    StringBuilder text = new StringBuilder();
    for (Map.Entry<Digest, Descriptor> chunk : chunks) {
      text.append(chunk.getKey().hex())
          .append(' ')
          .append(chunk.getValue().digest().hex())
          .append(' ')
          .append(chunk.getValue().size())
          .append('\n');
    }
    try {
      Durable.write(
          file.resolveSibling(file.getFileName() + ".tmp"),
          file,
          text.toString().getBytes(StandardCharsets.US_ASCII));
    } catch (IOException e) {
      // A cache: without it the next backup compresses every chunk again, nothing worse.
    }
  }
}
