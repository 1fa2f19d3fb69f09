package dev.appliance.registry;

import dev.appliance.common.ApplianceException;
import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageReference;
import dev.appliance.oci.MediaTypes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * One repository of a registry for callers outside this module (signing): manifests by tag or
 * digest with their media type, small blobs, and the OCI 1.1 referrers API. Every call goes through
 * {@link RegistryClient} (the one HTTP path) with the session's retries.
 */
public final class RemoteRepository {
  /** Manifests and referrer indexes appliance reads through this class are small documents. */
  public static final int MAX_DOCUMENT = PullLimits.DOCUMENT_BYTES;

  private static final String ACCEPT =
      String.join(", ", MediaTypes.OCI_MANIFEST, MediaTypes.DOCKER_MANIFEST);

  private final ImageReference image;
  private final RegistryClient client;
  private final Retry retry;

  private RemoteRepository(ImageReference image, RegistryClient client, Retry retry) {
    this.image = image;
    this.client = client;
    this.retry = retry;
  }

  /** The repository {@code image} names; {@code write} asks for push access as well as pull. */
  public static RemoteRepository open(
      ImageReference image, RegistryOptions options, TransferListener listener, boolean write) {
    RegistrySession session = RegistrySession.open(image, options, listener);
    return new RemoteRepository(
        image,
        new RegistryClient(session.endpoint(), image.repository(), session.credential(), write),
        session.retry());
  }

  /** Parses a remote reference (it must name a registry), as push and pull do. */
  public static ImageReference parseReference(String text, String option) {
    return RemoteReferences.parse(text, option);
  }

  /**
   * A manifest as the registry serves it: exact bytes, media type, and its digest (computed here).
   */
  public record RemoteManifest(byte[] body, String mediaType, Digest digest) {
    public Descriptor descriptor() {
      return new Descriptor(mediaType, digest, body.length);
    }
  }

  /**
   * The manifest under a tag or digest, if there is one; checked against the digest the registry
   * reports.
   */
  public Optional<RemoteManifest> manifest(String reference) {
    return retry.run(
        "fetching manifest " + reference + " of " + image.repository(),
        () -> {
          try {
            RegistryClient.FetchedManifest fetched =
                client.manifest(reference, ACCEPT, MAX_DOCUMENT);
            Digest digest = Digest.sha256(fetched.body());
            if (fetched.dockerContentDigest().isPresent()
                && !fetched.dockerContentDigest().get().equals(digest.toString())) {
              throw new ApplianceException(
                  image.registry()
                      + "/"
                      + image.repository()
                      + ": manifest "
                      + reference
                      + " has digest "
                      + digest
                      + " but the registry says "
                      + fetched.dockerContentDigest().get());
            }
            String type = fetched.contentType().split(";")[0].strip();
            return Optional.of(new RemoteManifest(fetched.body(), type, digest));
          } catch (RegistryException.NotFoundException e) {
            return Optional.empty();
          }
        });
  }

  /** Stores a manifest under a tag or its digest, with its media type. */
  public void putManifest(String reference, byte[] body, String mediaType) {
    Optional<String> stored =
        retry.run(
            "uploading manifest " + reference,
            () -> client.putManifest(reference, body, mediaType));
    Digest expected = Digest.sha256(body);
    if (stored.isPresent() && !stored.get().equals(expected.toString())) {
      throw new ApplianceException(
          image.registry()
              + "/"
              + image.repository()
              + " stored manifest "
              + reference
              + " as "
              + stored.get()
              + ", not "
              + expected);
    }
  }

  /**
   * A small blob (at most {@code size} bytes, which the caller bounds), whole; the digest is
   * checked.
   */
  public byte[] blob(Digest digest, long size) {
    byte[] bytes =
        retry.run(
            "downloading blob " + digest.shortHex(),
            () -> {
              ByteArrayOutputStream out = new ByteArrayOutputStream();
              client.blob(digest, size, out, n -> {});
              return out.toByteArray();
            });
    if (bytes.length != size || !Digest.sha256(bytes).equals(digest)) {
      throw new ApplianceException(
          image.registry()
              + "/"
              + image.repository()
              + ": blob "
              + digest
              + " does not match its digest and size");
    }
    return bytes;
  }

  /** Whether the repository has the blob (HEAD). */
  public boolean hasBlob(Digest digest) {
    return retry.run("checking blob " + digest.shortHex(), () -> client.hasBlob(digest));
  }

  /**
   * Uploads a blob held in memory unless the repository has it (HEAD first); true when it was
   * uploaded, false when the repository already had it.
   */
  public boolean putBlob(Digest digest, byte[] content) {
    return retry.run(
        "uploading blob " + digest.shortHex(),
        () -> {
          if (client.hasBlob(digest)) {
            return false;
          }
          client.uploads(UploadPolicy.DEFAULT).upload(digest, content);
          return true;
        });
  }

  /**
   * Uploads {@code size} bytes of {@code file} as blob {@code digest} unless the repository has it
   * (HEAD first); true when it was uploaded. For large blobs (a root-slot image): streamed from the
   * file, {@code progress} receiving the bytes sent in the current attempt.
   */
  public boolean putBlob(Digest digest, java.nio.file.Path file, long size, LongConsumer progress) {
    return retry.run(
        "uploading blob " + digest.shortHex(),
        () -> {
          if (client.hasBlob(digest)) {
            return false;
          }
          client.uploads(UploadPolicy.DEFAULT).upload(digest, file, size, progress);
          return true;
        });
  }

  /**
   * The OCI 1.1 referrers of {@code subject} with this artifact type, as the image index the
   * registry returns; empty when the registry has no referrers API (404, or any error or answer
   * that is not an index: the caller falls back to the tag scheme).
   */
  public Optional<byte[]> referrers(Digest subject, String artifactType) {
    // Not retried: a registry without the API may answer anything, and the tag scheme follows
    // anyway.
    try {
      HttpResponse<InputStream> response =
          client.exchange(
              client
                  .request(
                      "referrers/"
                          + subject
                          + "?artifactType="
                          + URLEncoder.encode(artifactType, StandardCharsets.UTF_8))
                  .GET()
                  .header("Accept", MediaTypes.OCI_INDEX),
              RegistryClient.ofInputStream());
      try (InputStream body = response.body()) {
        String type =
            response.headers().firstValue("Content-Type").orElse("").split(";")[0].strip();
        if (response.statusCode() != 200 || !type.equals(MediaTypes.OCI_INDEX)) {
          return Optional.empty();
        }
        byte[] bytes = body.readNBytes(MAX_DOCUMENT + 1);
        if (bytes.length > MAX_DOCUMENT) {
          throw new ApplianceException(
              "the referrers index of " + subject + " is larger than " + MAX_DOCUMENT + " bytes");
        }
        return Optional.of(bytes);
      }
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  public ImageReference image() {
    return image;
  }
}
