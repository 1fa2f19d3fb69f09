package dev.appliance.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.appliance.common.ApplianceException;
import dev.appliance.common.FileLocks;
import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageConfig;
import dev.appliance.oci.ImageReference;
import dev.appliance.oci.Manifest;
import dev.appliance.oci.MediaTypes;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The local image store: an OCI image layout directory (oci-layout, index.json, blobs/sha256/...)
 * that skopeo, umoci and podman can read as {@code oci:DIR:NAME}. Tags are index entries annotated
 * with {@value #REF_NAME}.
 *
 * <p>Consistency: blobs are verified, flushed to disk and renamed into place whole; index.json is
 * replaced the same way under an exclusive lock (see {@link Durable}). Blobs are checked again when
 * read: {@link #readBlob} and {@link #openVerified} fail on a blob whose bytes no longer match its
 * digest and set it aside, so the next pull fetches it again. Writers that add blobs and then tag
 * them hold {@link #lockForWrite()} so that a concurrent {@link #gc()}, which takes that lock
 * exclusively, cannot remove blobs not yet referenced.
 */
public final class ImageStore {
  public static final String REF_NAME = "org.opencontainers.image.ref.name";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path root;

  private ImageStore(Path root) {
    this.root = root;
  }

  /** Opens the store at {@code root}, creating an empty layout if there is none. */
  public static ImageStore open(Path root) {
    try {
      Files.createDirectories(root.resolve("blobs/sha256"));
      Files.createDirectories(root.resolve("tmp"));
      Durable.syncDirectory(root.resolve("blobs"));
      Durable.syncDirectory(root);
      ImageStore store = new ImageStore(root.toAbsolutePath());
      try (FileLocks.Held ignored = FileLocks.exclusive(store.indexLockFile())) {
        if (!Files.exists(root.resolve("oci-layout"))) {
          store.writeAtomically(
              root.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes());
        }
        if (!Files.exists(root.resolve("index.json"))) {
          store.writeIndex(List.of());
        }
      }
      return store;
    } catch (IOException e) {
      throw new ApplianceException("cannot open image store " + root + ": " + e.getMessage(), e);
    }
  }

  public Path root() {
    return root;
  }

  // ---- blobs ----

  public Path blobPath(Digest digest) {
    return root.resolve("blobs").resolve(digest.algorithm()).resolve(digest.hex());
  }

  public boolean hasBlob(Digest digest) {
    return Files.isRegularFile(blobPath(digest));
  }

  /**
   * True when the store has the blob with the size and digest {@code blob} says, which is what a
   * pull must know before it skips a blob. A damaged one (truncated, or altered from outside) is
   * set aside, so the pull fetches it again. The digest is checked every time: reading a blob costs
   * far less than fetching it, and a pull that skipped a damaged blob could not repair it.
   */
  public boolean hasIntactBlob(Descriptor blob) {
    Path file = blobPath(blob.digest());
    try {
      if (Files.size(file) == blob.size() && hashOf(file).equals(blob.digest())) {
        return true;
      }
      setAside(file);
      return false;
    } catch (IOException missing) {
      return false;
    }
  }

  /** The digest a file under {@code blobs/sha256} is named by, if its name is one. */
  static Optional<Digest> digestOf(Path blobFile) {
    try {
      return Optional.of(new Digest("sha256", blobFile.getFileName().toString()));
    } catch (InvalidInputException e) {
      return Optional.empty();
    }
  }

  /** The SHA-256 of a file's content. */
  static Digest hashOf(Path file) throws IOException {
    MessageDigest sha256 = Digest.newSha256();
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buffer)) > 0) {
        sha256.update(buffer, 0, n);
      }
    }
    return Digest.fromSha256(sha256.digest());
  }

  /**
   * Opens a blob as it is on disk, unchecked; see {@link #openVerified} for content that is used.
   */
  public InputStream openBlob(Digest digest) throws IOException {
    return Files.newInputStream(blobPath(digest));
  }

  /**
   * Opens a blob for reading, checked against {@code blob} as it streams (see {@link
   * VerifyingBlobStream}); {@code what} names it in errors.
   */
  public InputStream openVerified(Descriptor blob, String what) {
    return VerifyingBlobStream.open(blobPath(blob.digest()), blob, what);
  }

  /**
   * Reads a small blob (a manifest, a config) whole and checks its digest.
   *
   * @throws DamagedBlobException when it is missing or its bytes do not match
   */
  public byte[] readBlob(Digest digest) {
    return readBlob(digest, "store " + root);
  }

  /**
   * Like {@link #readBlob(Digest)}; {@code what} names the blob in errors (e.g. {@code "lamp:1.0.0
   * config"}).
   */
  public byte[] readBlob(Digest digest, String what) {
    Path file = blobPath(digest);
    byte[] content;
    try {
      content = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      throw new DamagedBlobException(what, digest, "missing");
    } catch (IOException e) {
      throw new ApplianceException(
          "cannot read blob " + digest + " from the store " + root + ": " + e.getMessage(), e);
    }
    Digest actual = digest.algorithm().equals("sha256") ? Digest.sha256(content) : digest;
    if (!actual.equals(digest)) {
      setAside(file);
      throw new DamagedBlobException(what, digest, "its content has digest " + actual);
    }
    return content;
  }

  /**
   * Moves a damaged blob file out of {@code blobs/} into the store's {@code tmp/} (which {@link
   * #gc()} empties): a name must never serve bytes that do not match it, and once it is gone a pull
   * fetches the blob again. A reader that has the file open keeps reading it. Files outside a store
   * layout are left alone.
   */
  static void setAside(Path blobFile) {
    Path file = blobFile.toAbsolutePath();
    if (file.getNameCount() < 3 || !file.getParent().getParent().endsWith("blobs")) {
      return;
    }
    Path tmp = file.getParent().getParent().resolveSibling("tmp");
    if (!Files.isDirectory(tmp)) {
      return;
    }
    try {
      Files.move(
          file,
          tmp.resolve("damaged-" + file.getFileName() + "-" + UUID.randomUUID()),
          StandardCopyOption.ATOMIC_MOVE);
      Durable.syncDirectory(file.getParent());
    } catch (IOException e) {
      // Already moved by another reader, or not movable: the caller reports the damage either way.
    }
  }

  /** Starts writing a blob; see {@link BlobWriter}. */
  public BlobWriter newBlob() throws IOException {
    return new BlobWriter(this, tempFile());
  }

  /** Stores small content (a manifest, a config) and describes it. */
  public Descriptor putBlob(byte[] content, String mediaType) throws IOException {
    try (BlobWriter writer = newBlob()) {
      writer.write(content);
      return writer.commit(mediaType);
    }
  }

  /**
   * Moves a finished file (e.g. a layer written elsewhere) into the store, verifying its digest.
   */
  public Descriptor putBlobFile(Path file, String mediaType, Digest expected) throws IOException {
    try (BlobWriter writer = newBlob();
        InputStream in = Files.newInputStream(file)) {
      in.transferTo(writer);
      return writer.commit(mediaType, expected);
    }
  }

  /** A fresh temporary file inside the store (same file system, so renames are atomic). */
  public Path tempFile() throws IOException {
    return root.resolve("tmp").resolve(UUID.randomUUID() + ".part");
  }

  /** Stores a config and a manifest (the layers must be in already). */
  public Descriptor putImage(ImageConfig config, Manifest manifest) throws IOException {
    for (Descriptor layer : manifest.layers()) {
      if (!hasBlob(layer.digest())) {
        throw new ApplianceException(
            "cannot store image "
                + manifest.digest()
                + ": layer "
                + layer.digest()
                + " is not in the store");
      }
    }
    putBlob(config.raw(), MediaTypes.OCI_CONFIG);
    putBlob(manifest.raw(), manifest.mediaType());
    return manifest.descriptor();
  }

  // ---- locking ----

  /** Held while adding blobs and tagging them, so gc cannot collect them half way. */
  public AutoCloseable lockForWrite() {
    FileLocks.Held held = FileLocks.shared(root.resolve("gc.lock"));
    return held::close;
  }

  private Path indexLockFile() {
    return root.resolve("index.lock");
  }

  // ---- tags ----

  /**
   * Points {@code name} (e.g. {@code lamp:1.0.0}) at a stored manifest, replacing any previous
   * target.
   */
  public void tag(String name, Descriptor manifest) {
    String canonical = canonicalName(name);
    if (!hasBlob(manifest.digest())) {
      throw new ApplianceException(
          "cannot tag " + canonical + ": manifest " + manifest.digest() + " is not in the store");
    }
    try (FileLocks.Held ignored = FileLocks.exclusive(indexLockFile())) {
      List<Descriptor> entries = new ArrayList<>(readIndex());
      entries.removeIf(d -> canonical.equals(d.annotations().get(REF_NAME)));
      entries.add(
          new Descriptor(
              manifest.mediaType(),
              manifest.digest(),
              manifest.size(),
              Map.of(REF_NAME, canonical)));
      writeIndex(entries);
    }
  }

  /** Removes a tag. Blobs stay until {@link #gc()}. */
  public boolean untag(String name) {
    String canonical = canonicalName(name);
    try (FileLocks.Held ignored = FileLocks.exclusive(indexLockFile())) {
      List<Descriptor> entries = new ArrayList<>(readIndex());
      boolean removed = entries.removeIf(d -> canonical.equals(d.annotations().get(REF_NAME)));
      if (removed) {
        writeIndex(entries);
      }
      return removed;
    }
  }

  /** A tag and what it points at. */
  public record Tag(String name, Descriptor manifest) {}

  /** All tags, sorted by name. */
  public List<Tag> tags() {
    Map<String, Tag> tags = new TreeMap<>();
    for (Descriptor d : readIndex()) {
      String name = d.annotations().get(REF_NAME);
      if (name != null) {
        tags.put(name, new Tag(name, d));
      }
    }
    return List.copyOf(tags.values());
  }

  /**
   * Finds an image by tag ({@code lamp:1.0.0}, {@code lamp} meaning {@code lamp:latest}), by
   * manifest digest, or by a unique digest prefix of at least 6 hex digits.
   */
  public Optional<StoredImage> find(String ref) {
    Optional<Descriptor> manifest = resolve(ref);
    return manifest.map(d -> load(ref, d.digest()));
  }

  /** Like {@link #find} but a missing image is an error naming it. */
  public StoredImage get(String ref) {
    return find(ref)
        .orElseThrow(
            () ->
                new InvalidInputException(
                    "image '" + ref + "' is not in the local store (see 'appliance images')"));
  }

  private Optional<Descriptor> resolve(String ref) {
    String hexPrefix = ref.startsWith("sha256:") ? ref.substring(7) : ref;
    if (hexPrefix.matches("[a-f0-9]{6,64}")) {
      List<Descriptor> matches =
          readIndex().stream()
              .filter(d -> d.digest().hex().startsWith(hexPrefix))
              .map(d -> new Descriptor(d.mediaType(), d.digest(), d.size()))
              .distinct()
              .toList();
      if (matches.size() > 1) {
        throw new InvalidInputException(
            "'" + ref + "' matches " + matches.size() + " images: give more digits");
      }
      if (matches.size() == 1) {
        return Optional.of(matches.get(0));
      }
      if (hexPrefix.length() == 64 && hasBlob(new Digest("sha256", hexPrefix))) {
        Digest d = new Digest("sha256", hexPrefix);
        return Optional.of(new Descriptor(MediaTypes.OCI_MANIFEST, d, 0));
      }
    }
    String canonical = canonicalName(ref);
    return tags().stream().filter(t -> t.name().equals(canonical)).map(Tag::manifest).findFirst();
  }

  /** Reads a stored image by manifest digest; {@code name} is used in messages. */
  public StoredImage load(String name, Digest manifestDigest) {
    Manifest manifest =
        Manifest.parse(readBlob(manifestDigest, name + " manifest"), name + " manifest");
    ImageConfig config =
        ImageConfig.parse(readBlob(manifest.config().digest(), name + " config"), name + " config");
    List<Path> layers = new ArrayList<>();
    for (Descriptor layer : manifest.layers()) {
      Path file = blobPath(layer.digest());
      if (!Files.isRegularFile(file)) {
        throw new DamagedBlobException(
            name + " layer " + (layers.size() + 1), layer.digest(), "missing");
      }
      layers.add(file);
    }
    return new StoredImage(name, manifest, config, layers);
  }

  /** Tags are stored in canonical reference form: {@code lamp} becomes {@code lamp:latest}. */
  static String canonicalName(String name) {
    ImageReference ref = ImageReference.parse(name);
    if (ref.digest() != null) {
      throw new InvalidInputException("'" + name + "': a tag cannot contain a digest");
    }
    return ref.toString();
  }

  // ---- garbage collection ----

  /** What {@link #gc()} removed. */
  public record GcResult(int blobsRemoved, long bytesFreed) {}

  /** Removes blobs no tag reaches, and leftovers of interrupted writes. */
  public GcResult gc() {
    try (FileLocks.Held writers = FileLocks.exclusive(root.resolve("gc.lock"));
        FileLocks.Held index = FileLocks.exclusive(indexLockFile())) {
      Set<Digest> live = new HashSet<>();
      for (Descriptor d : readIndex()) {
        live.add(d.digest());
        if (hasBlob(d.digest()) && MediaTypes.isManifest(d.mediaType())) {
          Manifest m = Manifest.parse(readBlob(d.digest()), d.digest().toString());
          live.add(m.config().digest());
          m.layers().forEach(l -> live.add(l.digest()));
        }
      }
      int removed = 0;
      long freed = 0;
      try (Stream<Path> blobs = Files.list(root.resolve("blobs/sha256"));
          Stream<Path> temps = Files.list(root.resolve("tmp"))) {
        for (Path blob : (Iterable<Path>) Stream.concat(blobs, temps)::iterator) {
          boolean isTemp = blob.getParent().endsWith("tmp");
          // A file whose name is no digest is not a blob: left for 'store verify' to report.
          Optional<Digest> digest = isTemp ? Optional.empty() : digestOf(blob);
          if (isTemp || digest.isPresent() && !live.contains(digest.get())) {
            freed += Files.size(blob);
            Files.delete(blob);
            removed++;
          }
        }
      }
      return new GcResult(removed, freed);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  // ---- index.json ----

  private List<Descriptor> readIndex() {
    try {
      JsonNode node = JSON.readTree(root.resolve("index.json").toFile());
      List<Descriptor> list = new ArrayList<>();
      for (JsonNode m : node.path("manifests")) {
        Map<String, String> annotations = new TreeMap<>();
        m.path("annotations")
            .fields()
            .forEachRemaining(e -> annotations.put(e.getKey(), e.getValue().asText()));
        list.add(
            new Descriptor(
                m.path("mediaType").asText(),
                Digest.parse(m.path("digest").asText()),
                m.path("size").asLong(),
                annotations));
      }
      return list;
    } catch (IOException e) {
      throw new ApplianceException(
          "cannot read " + root.resolve("index.json") + ": " + e.getMessage(), e);
    }
  }

  private void writeIndex(List<Descriptor> entries) {
    ObjectNode node = JSON.createObjectNode();
    node.put("schemaVersion", 2);
    node.put("mediaType", MediaTypes.OCI_INDEX);
    ArrayNode manifests = node.putArray("manifests");
    for (Descriptor d : entries) {
      ObjectNode m = manifests.addObject();
      m.put("mediaType", d.mediaType());
      m.put("digest", d.digest().toString());
      m.put("size", d.size());
      if (!d.annotations().isEmpty()) {
        ObjectNode a = m.putObject("annotations");
        d.annotations().forEach(a::put);
      }
    }
    try {
      writeAtomically(
          root.resolve("index.json"),
          JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(node));
    } catch (IOException e) {
      throw new ApplianceException(
          "cannot write " + root.resolve("index.json") + ": " + e.getMessage(), e);
    }
  }

  private void writeAtomically(Path target, byte[] content) throws IOException {
    Durable.write(tempFile(), target, content);
  }
}
