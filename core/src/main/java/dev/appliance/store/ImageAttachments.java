package dev.appliance.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.appliance.common.ApplianceException;
import dev.appliance.oci.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * What the store keeps beside an image, by manifest digest, under {@code attachments/sha256/HEX/}:
 * the build's provenance record ({@code provenance.json}) and the signatures and attestations a
 * pull or a signed push brought (one file per signature manifest with its blobs). Kept out of the
 * blob store so that gc and {@code store verify} see only images; whatever is read back is
 * untrusted and checked again by the signing module before use.
 */
public final class ImageAttachments {
  /** One signature or attestation manifest as the registry had it, with the blobs it names. */
  public record Artifact(byte[] manifest, Map<Digest, byte[]> blobs) {
    public Artifact {
      manifest = manifest.clone();
      blobs = Map.copyOf(blobs);
    }

    public Digest digest() {
      return Digest.sha256(manifest);
    }
  }

  /** The kinds of artifact kept. */
  public enum Kind {
    SIGNATURES,
    ATTESTATIONS;

    String directory() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** More artifacts of one kind than this for one image are not kept (nor read). */
  public static final int MAX_ARTIFACTS = 64;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PROVENANCE = "provenance.json";

  private final ImageStore store;

  public ImageAttachments(ImageStore store) {
    this.store = store;
  }

  public void putProvenance(Digest image, BuildProvenance provenance) {
    write(dir(image).resolve(PROVENANCE), provenance.toJson());
  }

  /** The build record of an image built here; empty for pulled images and older builds. */
  public Optional<BuildProvenance> provenance(Digest image) {
    Path file = dir(image).resolve(PROVENANCE);
    try {
      return Optional.of(BuildProvenance.parse(Files.readAllBytes(file), file.toString()));
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      throw new ApplianceException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Keeps {@code artifact} (replacing a copy with the same manifest digest). */
  public void put(Digest image, Kind kind, Artifact artifact) {
    ObjectNode root = JSON.createObjectNode();
    Base64.Encoder base64 = Base64.getEncoder();
    root.put("manifest", base64.encodeToString(artifact.manifest()));
    ObjectNode blobs = root.putObject("blobs");
    artifact
        .blobs()
        .forEach((digest, bytes) -> blobs.put(digest.toString(), base64.encodeToString(bytes)));
    try {
      write(
          dir(image).resolve(kind.directory()).resolve(artifact.digest().hex() + ".json"),
          JSON.writeValueAsBytes(root));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Removes what a previous pull kept of this kind, before a new pull keeps what it found. */
  public void clear(Digest image, Kind kind) {
    Path directory = dir(image).resolve(kind.directory());
    for (Path file : files(directory)) {
      try {
        Files.deleteIfExists(file);
      } catch (IOException e) {
        throw new ApplianceException("cannot remove " + file + ": " + e.getMessage(), e);
      }
    }
  }

  /** The artifacts kept for {@code image}, unchecked. */
  public List<Artifact> list(Digest image, Kind kind) {
    List<Artifact> found = new ArrayList<>();
    for (Path file : files(dir(image).resolve(kind.directory()))) {
      if (found.size() >= MAX_ARTIFACTS) {
        break;
      }
      try {
        JsonNode root = JSON.readTree(file.toFile());
        Base64.Decoder base64 = Base64.getDecoder();
        Map<Digest, byte[]> blobs = new LinkedHashMap<>();
        root.path("blobs")
            .fields()
            .forEachRemaining(
                e -> blobs.put(Digest.parse(e.getKey()), base64.decode(e.getValue().asText())));
        found.add(new Artifact(base64.decode(root.path("manifest").asText()), blobs));
      } catch (IOException | RuntimeException e) {
        throw new ApplianceException(
            file + ": damaged " + kind.directory() + " record: " + e.getMessage(), e);
      }
    }
    return found;
  }

  /**
   * Removes what is kept for images whose manifest left the store (after gc); returns how many
   * images' attachments went.
   */
  public int prune() {
    Path sha256 = store.root().resolve("attachments/sha256");
    int removed = 0;
    for (Path image : entries(sha256)) {
      String hex = image.getFileName().toString();
      if (hex.matches("[0-9a-f]{64}") && !store.hasBlob(new Digest("sha256", hex))) {
        for (Kind kind : Kind.values()) {
          clear(new Digest("sha256", hex), kind);
        }
        try {
          Files.deleteIfExists(image.resolve(PROVENANCE));
          for (Kind kind : Kind.values()) {
            Files.deleteIfExists(image.resolve(kind.directory()));
          }
          Files.deleteIfExists(image);
        } catch (IOException e) {
          throw new ApplianceException("cannot remove " + image + ": " + e.getMessage(), e);
        }
        removed++;
      }
    }
    return removed;
  }

  private static List<Path> entries(Path directory) {
    if (!Files.isDirectory(directory)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(directory)) {
      return entries.sorted().toList();
    } catch (IOException e) {
      throw new ApplianceException("cannot list " + directory + ": " + e.getMessage(), e);
    }
  }

  private Path dir(Digest image) {
    return store.root().resolve("attachments").resolve(image.algorithm()).resolve(image.hex());
  }

  private static List<Path> files(Path directory) {
    return entries(directory).stream()
        .filter(p -> p.getFileName().toString().endsWith(".json"))
        .toList();
  }

  private void write(Path target, byte[] content) {
    try {
      Files.createDirectories(target.getParent());
      Durable.write(store.tempFile(), target, content);
    } catch (IOException e) {
      throw new ApplianceException("cannot write " + target + ": " + e.getMessage(), e);
    }
  }
}
