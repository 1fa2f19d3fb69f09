package dev.appliance.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.appliance.common.ApplianceException;
import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageConfig;
import dev.appliance.oci.ImageReference;
import dev.appliance.oci.Manifest;
import dev.appliance.oci.MediaTypes;
import dev.appliance.store.BlobWriter;
import dev.appliance.store.ImageStore;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Pulls an image from a registry into the local store. Every blob is verified against its digest
 * while it streams into the store and enters it only whole and correct; blobs the store has at the
 * right size are not fetched (a damaged one is set aside and fetched again). The tag is written
 * last, so a failed pull changes no image in the store; verified blobs it already fetched stay
 * (unreferenced until a rerun completes, or {@code gc} removes them).
 */
public final class ImagePuller {
  private static final String ACCEPT =
      String.join(
          ", ",
          MediaTypes.OCI_MANIFEST,
          MediaTypes.DOCKER_MANIFEST,
          MediaTypes.OCI_INDEX,
          "application/vnd.docker.distribution.manifest.list.v2+json");

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ImageStore store;
  private final RegistryOptions options;
  private final TransferListener listener;
  private final ManifestGate gate;

  public ImagePuller(ImageStore store, RegistryOptions options, TransferListener listener) {
    this(store, options, listener, ManifestGate.OPEN);
  }

  /**
   * {@code gate} sees the manifest digest before any blob is fetched or stored (the signature
   * policy).
   */
  public ImagePuller(
      ImageStore store, RegistryOptions options, TransferListener listener, ManifestGate gate) {
    this.store = store;
    this.options = options;
    this.listener = listener;
    this.gate = gate;
  }

  /**
   * Pulls {@code remote} and tags it under the same name in the store (unless pulled by digest
   * only).
   */
  public PullResult pull(String remote) {
    ImageReference source = RemoteReferences.parse(remote, "image");
    RegistrySession session = RegistrySession.open(source, options, listener);
    Retry retry = session.retry();
    RegistryClient http =
        new RegistryClient(session.endpoint(), source.repository(), session.credential(), false);

    listener.stage("fetching manifest of " + source);
    Manifest manifest =
        retry.run("fetching the manifest of " + source, () -> fetchManifest(http, source));
    PullLimits.check(manifest, source.toString());
    gate.admit(source, manifest.digest());
    AtomicLong bytes = new AtomicLong();
    AtomicInteger received = new AtomicInteger();
    AtomicInteger skipped = new AtomicInteger();
    KnownBlobs known = new KnownBlobs(store);
    PullResult result;
    try (AutoCloseable writing = store.lockForWrite()) {
      List<Descriptor> blobs = RemoteReferences.blobsOf(manifest);
      Parallel.forEach(
          blobs,
          blob -> {
            listener.blobStarted(blob);
            boolean had = store.hasIntactBlob(blob);
            if (!had) {
              bytes.addAndGet(
                  retry.run(
                      "downloading blob " + blob.digest().shortHex(), () -> fetchBlob(http, blob)));
            }
            (had ? skipped : received).incrementAndGet();
            known.remember(source.registry(), source.repository(), blob.digest());
            listener.blobFinished(blob, had);
          });
      ImageConfig config =
          ImageConfig.parse(
              store.readBlob(manifest.config().digest(), source + " config"), source + " config");
      Descriptor stored = store.putImage(config, manifest);
      // NAME:TAG@DIGEST is stored as NAME:TAG; an image pulled by digest alone is found by its
      // digest.
      String localName =
          source.tag() == null
              ? stored.digest().toString()
              : source.withTag(source.tag()).toString();
      if (source.tag() != null) {
        store.tag(localName, stored);
      }
      result =
          new PullResult(
              source.toString(),
              localName,
              manifest.digest(),
              bytes.get(),
              received.get(),
              skipped.get());
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new ApplianceException("cannot store " + source + ": " + e.getMessage(), e);
    }
    gate.stored(store, source, manifest.digest());
    return result;
  }

  private Manifest fetchManifest(RegistryClient http, ImageReference source) throws Exception {
    RegistryClient.FetchedManifest fetched =
        http.manifest(source.tagOrDigest(), ACCEPT, PullLimits.DOCUMENT_BYTES);
    String type = fetched.contentType().split(";")[0].strip();
    if (type.isEmpty() || type.equals("application/json")) {
      // Some registries serve every manifest as plain JSON; then the manifest's own field says.
      type = declaredMediaType(fetched.body(), source);
    }
    if (!MediaTypes.isManifest(type)) {
      throw new ApplianceException(
          source
              + " is not an image manifest but '"
              + type
              + "'; appliance pulls "
              + MediaTypes.OCI_MANIFEST
              + " (or Docker's v2 manifest)");
    }
    Digest actual = Digest.sha256(fetched.body());
    if (source.digest() != null && !source.digest().equals(actual)) {
      throw new ApplianceException(
          "the manifest "
              + source.registry()
              + " sent for "
              + source
              + " has digest "
              + actual
              + ": it does not match the reference");
    }
    if (fetched.dockerContentDigest().isPresent()
        && !fetched.dockerContentDigest().get().equals(actual.toString())) {
      throw new ApplianceException(
          "the manifest of "
              + source
              + " has digest "
              + actual
              + " but the registry says "
              + fetched.dockerContentDigest().get()
              + ": corrupt or truncated transfer");
    }
    Manifest manifest = Manifest.parse(fetched.body(), source + " manifest");
    if (!manifest.mediaType().equals(type)) {
      throw new ApplianceException(
          source
              + ": the registry says the manifest is '"
              + type
              + "' but it says '"
              + manifest.mediaType()
              + "'");
    }
    return manifest;
  }

  private static String declaredMediaType(byte[] manifest, ImageReference source) {
    try {
      return JSON.readTree(manifest).path("mediaType").asText("");
    } catch (IOException e) {
      throw new ApplianceException(
          source + ": the registry sent a manifest that is not JSON: " + e.getMessage(), e);
    }
  }

  private long fetchBlob(RegistryClient http, Descriptor blob) throws Exception {
    try (BlobWriter writer = store.newBlob()) {
      long n =
          http.blob(blob.digest(), blob.size(), writer, done -> listener.blobProgress(blob, done));
      writer.commit(blob.mediaType(), blob.digest());
      return n;
    }
  }
}
