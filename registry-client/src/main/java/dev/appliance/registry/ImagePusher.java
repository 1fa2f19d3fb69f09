package dev.appliance.registry;

import dev.appliance.common.ApplianceException;
import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageReference;
import dev.appliance.oci.Manifest;
import dev.appliance.store.ImageStore;
import dev.appliance.store.StoredImage;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Pushes an image from the local store to a registry: each blob the repository lacks is mounted
 * from another repository known to hold it, or uploaded as stored (exact bytes); then the manifest
 * as stored, so the registry's digests equal the local ones.
 */
public final class ImagePusher {
  private final ImageStore store;
  private final RegistryOptions options;
  private final TransferListener listener;
  private final UploadPolicy uploads;

  public ImagePusher(ImageStore store, RegistryOptions options, TransferListener listener) {
    this(store, options, listener, UploadPolicy.DEFAULT);
  }

  ImagePusher(
      ImageStore store, RegistryOptions options, TransferListener listener, UploadPolicy uploads) {
    this.store = store;
    this.options = options;
    this.listener = listener;
    this.uploads = uploads;
  }

  /**
   * Pushes {@code local} (a tag or digest in the store) to {@code remote}; with {@code remote}
   * null, {@code local} itself must name the registry.
   */
  public PushResult push(String local, String remote) {
    return push(local, remote, null);
  }

  /**
   * Something published in the target repository once the image is there by digest and before its
   * tag names it, so that a client following the tag finds it with the new digest: a self-updating
   * export's root-slot artifact.
   */
  @FunctionalInterface
  public interface BeforeTag {
    /**
     * @param image the pushed image, by digest
     */
    void publish(ImageReference image);
  }

  /**
   * Like {@link #push(String, String)}; when {@code beforeTag} is not null the manifest goes up by
   * its digest first, then {@code beforeTag} runs, then the tag moves.
   */
  public PushResult push(String local, String remote, BeforeTag beforeTag) {
    StoredImage image = store.get(local);
    ImageReference target =
        RemoteReferences.parse(
            remote == null ? local : remote, remote == null ? "image" : "destination");
    Manifest manifest = image.manifest();
    if (target.digest() != null && !target.digest().equals(manifest.digest())) {
      throw new InvalidInputException(
          "destination "
              + target
              + " pins digest "
              + target.digest()
              + " but "
              + local
              + " is "
              + manifest.digest());
    }
    RegistrySession session = RegistrySession.open(target, options, listener);
    Retry retry = session.retry();
    RegistryClient client =
        new RegistryClient(session.endpoint(), target.repository(), session.credential(), true);
    BlobUpload upload = client.uploads(uploads);
    KnownBlobs known = new KnownBlobs(store);
    AtomicLong bytesSent = new AtomicLong();
    AtomicInteger sent = new AtomicInteger();
    AtomicInteger skipped = new AtomicInteger();
    Parallel.forEach(
        RemoteReferences.blobsOf(manifest),
        blob -> {
          Optional<String> source =
              known.repositoriesOn(target.registry(), blob.digest()).stream()
                  .filter(repository -> !repository.equals(target.repository()))
                  .reduce((a, b) -> b);
          boolean existed = pushBlob(client, upload, blob, source, retry);
          if (!existed) {
            bytesSent.addAndGet(blob.size());
          }
          (existed ? skipped : sent).incrementAndGet();
          known.remember(target.registry(), target.repository(), blob.digest());
        });
    listener.stage("uploading manifest " + manifest.digest());
    if (beforeTag != null) {
      ImageReference byDigest =
          new ImageReference(target.registry(), target.repository(), null, manifest.digest());
      Optional<String> pinned =
          retry.run(
              "uploading the manifest of " + byDigest,
              () ->
                  client.putManifest(
                      manifest.digest().toString(), manifest.raw(), manifest.mediaType()));
      pinned.ifPresent(digest -> requireSame(byDigest, digest, manifest.digest()));
      beforeTag.publish(byDigest);
    }
    Optional<String> stored =
        retry.run(
            "uploading the manifest of " + target,
            () -> client.putManifest(target.tagOrDigest(), manifest.raw(), manifest.mediaType()));
    stored.ifPresent(digest -> requireSame(target, digest, manifest.digest()));
    verifyRemoteDigest(client, target, manifest, retry);
    return new PushResult(
        target.toString(), manifest.digest(), bytesSent.get(), sent.get(), skipped.get());
  }

  /**
   * Makes sure the repository has one blob: true when no bytes were sent (it had the blob, or
   * mounted it from {@code source}).
   */
  private boolean pushBlob(
      RegistryClient client,
      BlobUpload upload,
      Descriptor blob,
      Optional<String> source,
      Retry retry) {
    listener.blobStarted(blob);
    boolean existed =
        retry.run(
            "uploading blob " + blob.digest().shortHex(),
            () -> {
              if (registryHas(client, blob)) {
                return true;
              }
              if (source.isPresent() && upload.mount(blob.digest(), source.get())) {
                return true;
              }
              upload.upload(
                  blob.digest(),
                  store.blobPath(blob.digest()),
                  blob.size(),
                  done -> listener.blobProgress(blob, done));
              return false;
            });
    listener.blobFinished(blob, existed);
    return existed;
  }

  /**
   * Whether the repository has the blob. A server error here counts as "not known", and the blob is
   * uploaded: uploading is always safe, and it repairs what such errors usually mean.
   * docker-registry writes a repository's record of a blob (its link file) by truncating and then
   * writing it, so a registry killed in between answers every later check of that blob with HTTP
   * 500 ("invalid checksum digest format") until the blob is uploaded again.
   */
  private static boolean registryHas(RegistryClient client, Descriptor blob) throws Exception {
    try {
      return client.hasBlob(blob.digest());
    } catch (RegistryException.ServerErrorException e) {
      return false;
    }
  }

  /** Reads the manifest back: the registry must serve the very bytes we have. */
  private static void verifyRemoteDigest(
      RegistryClient client, ImageReference target, Manifest local, Retry retry) {
    Optional<String> remote =
        retry.run(
            "checking the manifest of " + target,
            () -> client.manifestDigest(target.tagOrDigest(), local.mediaType()));
    requireSame(target, remote.orElse("nothing"), local.digest());
  }

  private static void requireSame(ImageReference target, String remote, Digest local) {
    if (!remote.equals(local.toString())) {
      throw new ApplianceException(
          "after the push, "
              + target
              + " is "
              + remote
              + ", not "
              + local
              + ": the registry changed the manifest");
    }
  }
}
