package dev.appliance.runtime.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Manifest;
import dev.appliance.oci.MediaTypes;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The manifest of a volume backup: written by {@link VolumeBackup}, checked for restore. */
final class BackupManifest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private BackupManifest() {}

  /** The artifact manifest for {@code config} (already uploaded as {@code configBlob}). */
  static Manifest create(BackupConfig config, Descriptor configBlob, List<Chunk> chunks) {
    Map<String, String> annotations = new LinkedHashMap<>();
    annotations.put(BackupFormat.CREATED, config.created().toString());
    annotations.put(BackupFormat.VOLUME, config.volume());
    if (!config.instance().isEmpty()) {
      annotations.put(BackupFormat.INSTANCE, config.instance());
    }
    if (!config.image().isEmpty()) {
      annotations.put(BackupFormat.IMAGE, config.image());
    }
    return Manifest.create(
        BackupFormat.ARTIFACT_TYPE,
        configBlob,
        chunks.stream().map(Chunk::layer).toList(),
        annotations);
  }

  /**
   * Parses untrusted manifest bytes and checks they are a volume backup: an OCI manifest with our
   * artifactType and config media type, a config of sane size.
   */
  static Manifest parse(byte[] raw, String where) {
    Manifest manifest = Manifest.parse(raw, where);
    String artifactType;
    try {
      JsonNode node = JSON.readTree(raw);
      artifactType = node.path("artifactType").asText("");
    } catch (IOException e) {
      throw new InvalidInputException(where + ": the manifest is not JSON");
    }
    if (!manifest.mediaType().equals(MediaTypes.OCI_MANIFEST)
        || !artifactType.equals(BackupFormat.ARTIFACT_TYPE)) {
      throw new InvalidInputException(
          where
              + " is not a volume backup (artifactType '"
              + BackupConfig.printable(artifactType)
              + "', expected "
              + BackupFormat.ARTIFACT_TYPE
              + ")");
    }
    Descriptor config = manifest.config();
    if (!config.mediaType().equals(BackupFormat.CONFIG_MEDIA_TYPE)) {
      throw new InvalidInputException(
          where
              + ": config media type '"
              + BackupConfig.printable(config.mediaType())
              + "' is not "
              + BackupFormat.CONFIG_MEDIA_TYPE);
    }
    if (config.size() <= 0 || config.size() > BackupFormat.MAX_CONFIG) {
      throw new InvalidInputException(
          where + ": the config claims " + config.size() + " bytes (at most 64 KiB)");
    }
    return manifest;
  }

  /**
   * The manifest's chunks, checked against {@code config} before anything is downloaded: our media
   * type, a compressed size a chunk can have, offsets on chunk boundaries inside the volume and in
   * increasing order (so no chunk is written twice), no more chunks than the volume has.
   */
  static List<Chunk> chunks(Manifest manifest, BackupConfig config, String where) {
    List<Descriptor> layers = manifest.layers();
    if (layers.size() > config.chunkCount()) {
      throw new InvalidInputException(
          where
              + ": "
              + layers.size()
              + " chunks for a volume of "
              + config.chunkCount()
              + " chunks");
    }
    List<Chunk> chunks = new ArrayList<>(layers.size());
    long previous = -1;
    for (int i = 0; i < layers.size(); i++) {
      Descriptor layer = layers.get(i);
      String at = where + ": chunk " + i + " (" + layer.digest().shortHex() + ")";
      if (!layer.mediaType().equals(BackupFormat.CHUNK_MEDIA_TYPE)) {
        throw new InvalidInputException(
            at
                + ": media type '"
                + BackupConfig.printable(layer.mediaType())
                + "' is not "
                + BackupFormat.CHUNK_MEDIA_TYPE);
      }
      if (layer.size() <= 0 || layer.size() > BackupFormat.maxCompressed(config.chunkSize())) {
        throw new InvalidInputException(
            at + ": " + layer.size() + " compressed bytes is more than a chunk can take");
      }
      long offset = offset(layer, at);
      if (offset % config.chunkSize() != 0 || offset >= config.size() || offset <= previous) {
        throw new InvalidInputException(
            at
                + ": offset "
                + offset
                + " is not a new chunk boundary inside the volume (after "
                + previous
                + ")");
      }
      previous = offset;
      chunks.add(
          new Chunk(offset, new Descriptor(layer.mediaType(), layer.digest(), layer.size())));
    }
    return chunks;
  }

  private static long offset(Descriptor layer, String at) {
    String text = layer.annotations().get(BackupFormat.OFFSET);
    if (text == null || !text.matches("0|[1-9][0-9]{0,18}")) {
      throw new InvalidInputException(at + ": no valid " + BackupFormat.OFFSET + " annotation");
    }
    return Long.parseLong(text);
  }
}
