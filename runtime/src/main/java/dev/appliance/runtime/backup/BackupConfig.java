package dev.appliance.runtime.backup;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.appliance.common.InvalidInputException;
import dev.appliance.runtime.host.RunRemedy;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;

/**
 * The config blob of a volume backup: what the chunks add up to and where they came from.
 *
 * @param volume the backed-up volume's name
 * @param size the volume disk's size in bytes (its apparent size: holes included)
 * @param chunkSize bytes per chunk (the last may be shorter)
 * @param filesystem the disk's filesystem ("ext4")
 * @param uuid the filesystem UUID the guest mounts the volume by
 * @param instance the instance that attached the volume, or "" when none did
 * @param image that instance's image, or ""
 * @param created when the backup was taken
 */
record BackupConfig(
    String volume,
    long size,
    long chunkSize,
    String filesystem,
    String uuid,
    String instance,
    String image,
    Instant created) {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}");

  /** Instance and image names are shown to users: printable, bounded. */
  private static final Pattern LABEL = Pattern.compile("[\\x21-\\x7e]{0,512}");

  private static final Set<String> FIELDS =
      Set.of("volume", "size", "chunkSize", "filesystem", "uuid", "instance", "image", "created");

  byte[] toJson() {
    ObjectNode node = JSON.createObjectNode();
    node.put("volume", volume);
    node.put("size", size);
    node.put("chunkSize", chunkSize);
    node.put("filesystem", filesystem);
    node.put("uuid", uuid);
    node.put("instance", instance);
    node.put("image", image);
    node.put("created", created.toString());
    try {
      return JSON.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Reads an untrusted config: every field present, of the right type and within its limits, and
   * nothing else; the volume not larger than {@code maxSize}.
   */
  static BackupConfig parse(byte[] json, long maxSize, String where) {
    JsonNode node;
    try {
      node = JSON.readTree(json);
    } catch (IOException e) {
      throw new InvalidInputException(where + ": the backup config is not JSON: " + e.getMessage());
    }
    if (node == null || !node.isObject()) {
      throw new InvalidInputException(where + ": the backup config is not a JSON object");
    }
    node.fieldNames()
        .forEachRemaining(
            field -> {
              if (!FIELDS.contains(field)) {
                throw new InvalidInputException(
                    where + ": unknown field '" + printable(field) + "' in the backup config");
              }
            });
    long size = number(node, "size", where);
    long chunkSize = number(node, "chunkSize", where);
    if (size <= 0 || size > maxSize) {
      throw new InvalidInputException(
          where + ": the volume is " + size + " bytes; the limit is " + maxSize,
          RunRemedy.RAISE_BACKUP_LIMIT);
    }
    if (!BackupFormat.validChunkSize(chunkSize)) {
      throw new InvalidInputException(
          where + ": chunk size " + chunkSize + " is not a power of two from 64 KiB to 64 MiB");
    }
    String filesystem = text(node, "filesystem", where);
    if (!filesystem.equals("ext4")) {
      throw new InvalidInputException(
          where + ": filesystem '" + printable(filesystem) + "' is not ext4");
    }
    String uuid = text(node, "uuid", where);
    try {
      if (!UUID.fromString(uuid).toString().equals(uuid)) {
        throw new IllegalArgumentException();
      }
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(
          where + ": '" + printable(uuid) + "' is not a lower-case filesystem UUID");
    }
    String volume = text(node, "volume", where);
    if (!NAME.matcher(volume).matches()) {
      throw new InvalidInputException(where + ": '" + printable(volume) + "' is not a volume name");
    }
    Instant created;
    try {
      created = Instant.parse(text(node, "created", where));
    } catch (DateTimeParseException e) {
      throw new InvalidInputException(where + ": 'created' is not an RFC 3339 UTC time");
    }
    return new BackupConfig(
        volume,
        size,
        chunkSize,
        filesystem,
        uuid,
        label(node, "instance", where),
        label(node, "image", where),
        created);
  }

  /** How many chunks the volume has, holes included. */
  long chunkCount() {
    return (size + chunkSize - 1) / chunkSize;
  }

  /** The length of the chunk at {@code offset}: the last one may be short. */
  int chunkLength(long offset) {
    return (int) Math.min(chunkSize, size - offset);
  }

  private static long number(JsonNode node, String field, String where) {
    JsonNode value = node.get(field);
    if (value == null || !value.isIntegralNumber() || !value.canConvertToLong()) {
      throw new InvalidInputException(
          where + ": the backup config's '" + field + "' must be an integer");
    }
    return value.longValue();
  }

  private static String text(JsonNode node, String field, String where) {
    JsonNode value = node.get(field);
    if (value == null || !value.isTextual()) {
      throw new InvalidInputException(
          where + ": the backup config's '" + field + "' must be a string");
    }
    return value.textValue();
  }

  private static String label(JsonNode node, String field, String where) {
    String value = text(node, field, where);
    if (!LABEL.matcher(value).matches()) {
      throw new InvalidInputException(
          where
              + ": the backup config's '"
              + field
              + "' must be at most 512 printable characters without spaces");
    }
    return value;
  }

  /** Untrusted text for an error message: control characters shown as '?', at most 100 chars. */
  static String printable(String text) {
    String clean = text.replaceAll("[\\p{Cntrl}\\p{Zl}\\p{Zp}]", "?");
    return clean.length() > 100 ? clean.substring(0, 100) + "..." : clean;
  }
}
