package dev.appliance.registry;

import dev.appliance.oci.ApplianceMetadata;
import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageConfig;
import dev.appliance.oci.Manifest;
import dev.appliance.oci.MediaTypes;
import dev.appliance.store.BlobWriter;
import dev.appliance.store.ImageStore;
import java.io.IOException;
import java.io.OutputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/**
 * Small real OCI images in a store: gzip tar layers of random bytes, a config with appliance
 * labels.
 */
public final class TestImages {
  private TestImages() {}

  /** A layer: one file of {@code size} random bytes (seeded, so equal seeds give equal layers). */
  public record Layer(Descriptor descriptor, Digest diffId) {}

  public static Layer layer(ImageStore store, long seed, int size) throws IOException {
    Random random = new Random(seed);
    byte[] content = new byte[size];
    random.nextBytes(content);
    return fileLayer(store, "data/file-" + seed, content, Map.of());
  }

  /** A layer holding one file {@code path}; {@code annotations} go on its descriptor. */
  public static Layer fileLayer(
      ImageStore store, String path, byte[] content, Map<String, String> annotations)
      throws IOException {
    MessageDigest diff = Digest.newSha256();
    try (BlobWriter blob = store.newBlob()) {
      try (GzipCompressorOutputStream gzip = new GzipCompressorOutputStream(new NonClosing(blob));
          TarArchiveOutputStream tar =
              new TarArchiveOutputStream(new DigestOutputStream(gzip, diff))) {
        TarArchiveEntry entry = new TarArchiveEntry(path);
        entry.setSize(content.length);
        entry.setModTime(0);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
      }
      Descriptor stored = blob.commit(MediaTypes.OCI_LAYER_GZIP);
      return new Layer(
          new Descriptor(stored.mediaType(), stored.digest(), stored.size(), annotations),
          Digest.fromSha256(diff.digest()));
    }
  }

  /** Stores and tags an image of these layers; returns its manifest. */
  public static Manifest image(ImageStore store, String tag, List<Layer> layers)
      throws IOException {
    ApplianceMetadata metadata =
        new ApplianceMetadata(
            tag.split(":")[0],
            "1.0.0",
            List.of(new ApplianceMetadata.Port("http", 80, "tcp")),
            null,
            512,
            1,
            1L << 30,
            new ApplianceMetadata.Kernels("/boot/vmlinuz", "/boot/initrd.img", null),
            "",
            List.of());
    List<Digest> diffIds = new ArrayList<>();
    List<Descriptor> descriptors = new ArrayList<>();
    for (Layer layer : layers) {
      diffIds.add(layer.diffId());
      descriptors.add(layer.descriptor());
    }
    ImageConfig config =
        ImageConfig.create(
            Instant.parse("2026-01-01T00:00:00Z"), metadata.toLabels(), diffIds, List.of());
    // An annotation proves the manifest travels as bytes: a JSON round trip through a typed model
    // would drop it.
    Manifest manifest =
        Manifest.create(
            config.descriptor(), descriptors, Map.of("org.opencontainers.image.title", tag));
    store.tag(tag, store.putImage(config, manifest));
    return manifest;
  }

  /**
   * The commons-compress streams close their target; the BlobWriter must stay open until commit.
   */
  private static final class NonClosing extends java.io.FilterOutputStream {
    NonClosing(OutputStream out) {
      super(out);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
    }

    @Override
    public void close() throws IOException {
      flush();
    }
  }
}
