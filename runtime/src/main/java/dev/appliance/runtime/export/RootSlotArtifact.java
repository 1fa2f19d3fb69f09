package dev.appliance.runtime.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.appliance.common.ApplianceException;
import dev.appliance.common.ParallelGzipOutputStream;
import dev.appliance.oci.ApplianceMetadata;
import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageReference;
import dev.appliance.oci.MediaTypes;
import dev.appliance.registry.RegistryOptions;
import dev.appliance.registry.RemoteRepository;
import dev.appliance.registry.TransferListener;
import dev.appliance.runtime.disk.DiskAssembler;
import dev.appliance.runtime.disk.ImageLayers;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.zip.Deflater;

/**
 * The ready root-slot image a self-updating export downloads (docs/export.md "Updates"): the
 * image's assembled ext4 root disk, gzip-compressed, pushed next to the image as an OCI artifact
 * under the tag {@code sha256-<hex>.rootfs} derived from the image's manifest digest (the tag
 * scheme cosign uses for signatures, which registries without the referrers API serve). Its
 * annotations bind it to that digest and give the uncompressed size and digest (the guest checks
 * the slot it wrote against them) and the image's health check.
 */
public final class RootSlotArtifact {
  /**
   * v2: the filesystem at its smallest, grown by the guest to fill its slot (v1 carried the whole
   * root disk; an updater that knew only v1 would boot a nearly full root filesystem from v2, so it
   * refuses v2 by its type).
   */
  public static final String ARTIFACT_TYPE = "application/vnd.appliance.rootfs.v2";

  public static final String LAYER_TYPE = "application/vnd.appliance.rootfs.v2.ext4+gzip";
  static final String EMPTY_CONFIG_TYPE = "application/vnd.oci.empty.v1+json";
  private static final byte[] EMPTY_CONFIG = "{}".getBytes(StandardCharsets.UTF_8);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final DiskAssembler disks;
  private final RegistryOptions options;
  private final TransferListener progress;

  public RootSlotArtifact(DiskAssembler disks, RegistryOptions options, TransferListener progress) {
    this.disks = disks;
    this.options = options;
    this.progress = progress;
  }

  /** The tag the artifact of the image with manifest digest {@code image} is stored under. */
  public static String tag(Digest image) {
    return image.algorithm() + "-" + image.hex() + ".rootfs";
  }

  /**
   * Pushes the root-slot artifact of {@code image} (whose manifest digest in {@code repository} is
   * {@code imageDigest}) to that repository.
   *
   * @param work a directory for the shrunk and the compressed image, emptied by the caller
   * @return the artifact's manifest digest
   */
  public Digest push(
      ImageLayers image,
      ApplianceMetadata metadata,
      ImageReference repository,
      Digest imageDigest,
      Path work) {
    try {
      if (disks.anyCached(image).isEmpty()) {
        progress.stage("assembling the root disk (once per image)");
      }
      Path disk = disks.assemble(image, metadata.diskBytes());
      progress.stage("shrinking the root filesystem to its smallest");
      Path rootFs = MinimalFilesystem.of(disk, work);
      progress.stage("compressing the root-slot image");
      Path compressed = work.resolve("rootfs.ext4.gz");
      MessageDigest raw = Digest.newSha256();
      MessageDigest packed = Digest.newSha256();
      long rawSize;
      try (InputStream in = Files.newInputStream(rootFs);
          // On every core (a LAMP root filesystem is about 1.2 GB): reproducible whatever the core
          // count, as layers are.
          OutputStream out =
              new ParallelGzipOutputStream(
                  new DigestOutputStream(Files.newOutputStream(compressed), packed),
                  Deflater.BEST_SPEED)) {
        rawSize = copyDigesting(in, out, raw);
      }
      Descriptor layer =
          new Descriptor(LAYER_TYPE, Digest.fromSha256(packed.digest()), Files.size(compressed));
      Descriptor config =
          new Descriptor(EMPTY_CONFIG_TYPE, Digest.sha256(EMPTY_CONFIG), EMPTY_CONFIG.length);
      byte[] manifest =
          manifest(
              config,
              layer,
              imageDigest,
              Digest.fromSha256(raw.digest()),
              rawSize,
              GuestHealth.line(metadata));
      RemoteRepository remote = RemoteRepository.open(repository, options, progress, true);
      progress.stage("pushing the root-slot image (" + layer.size() + " bytes)");
      progress.blobStarted(layer);
      boolean sent =
          remote.putBlob(
              layer.digest(), compressed, layer.size(), n -> progress.blobProgress(layer, n));
      progress.blobFinished(layer, !sent);
      remote.putBlob(config.digest(), EMPTY_CONFIG);
      remote.putManifest(tag(imageDigest), manifest, MediaTypes.OCI_MANIFEST);
      return Digest.sha256(manifest);
    } catch (IOException e) {
      throw new ApplianceException(
          "root-slot image of " + image.image() + " not pushed: " + e.getMessage(), e);
    }
  }

  static byte[] manifest(
      Descriptor config,
      Descriptor layer,
      Digest image,
      Digest rawDigest,
      long rawSize,
      String health)
      throws IOException {
    ObjectNode root = JSON.createObjectNode();
    root.put("schemaVersion", 2);
    root.put("mediaType", MediaTypes.OCI_MANIFEST);
    root.put("artifactType", ARTIFACT_TYPE);
    root.set("config", descriptor(config));
    root.putArray("layers").add(descriptor(layer));
    ObjectNode annotations = root.putObject("annotations");
    annotations.put("dev.appliance.image.digest", image.toString());
    annotations.put("dev.appliance.rootfs.digest", rawDigest.toString());
    annotations.put("dev.appliance.rootfs.size", Long.toString(rawSize));
    annotations.put("dev.appliance.health", health);
    return JSON.writeValueAsBytes(root);
  }

  private static ObjectNode descriptor(Descriptor d) {
    ObjectNode node = JSON.createObjectNode();
    node.put("mediaType", d.mediaType());
    node.put("digest", d.digest().toString());
    node.put("size", d.size());
    return node;
  }

  private static long copyDigesting(InputStream in, OutputStream out, MessageDigest digest)
      throws IOException {
    byte[] buffer = new byte[1 << 20];
    long total = 0;
    for (int n; (n = in.read(buffer)) > 0; ) {
      digest.update(buffer, 0, n);
      out.write(buffer, 0, n);
      total += n;
    }
    return total;
  }
}
