package dev.appliance.signing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageReference;
import dev.appliance.oci.Manifest;
import dev.appliance.oci.MediaTypes;
import dev.appliance.signing.internal.SimpleSigningPayload;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Signs an image the way cosign does: the simple-signing payload naming the reference and manifest
 * digest, signed with ECDSA-SHA256 (ASN.1 DER), base64 in the payload layer's annotation. Produces
 * the signature manifest either for the {@code sha256-<hex>.sig} tag or as an OCI 1.1 referrer of
 * the image.
 */
public final class Signer {
  /** OCI 1.1's empty descriptor content, the config of artifacts with no config. */
  private static final byte[] EMPTY_JSON = "{}".getBytes(StandardCharsets.UTF_8);

  private static final String EMPTY_MEDIA_TYPE = "application/vnd.oci.empty.v1+json";
  private static final ObjectMapper JSON = new ObjectMapper();

  private final SigningKey key;

  public Signer(SigningKey key) {
    this.key = key;
  }

  /** The public half of the signing key. */
  public ECPublicKey publicKey() {
    return key.publicKey();
  }

  /**
   * The signature manifest for the tag scheme ({@link SignatureManifest#tagFor}), as cosign and
   * skopeo write it.
   */
  public SignatureManifest sign(ImageReference reference, Digest manifestDigest) {
    return addTo(null, reference, manifestDigest);
  }

  /**
   * The tag scheme keeps every signature of an image in one manifest: this one is appended as a
   * further layer to {@code existing} (the manifest under the .sig tag, or null when there is
   * none), as cosign does. Blobs of {@code existing} that were supplied are kept; the registry
   * already has the others.
   */
  public SignatureManifest addTo(
      SignatureManifest existing, ImageReference reference, Digest manifestDigest) {
    SignedPayload payload = signedPayload(reference, manifestDigest);
    List<Descriptor> layers =
        new ArrayList<>(existing == null ? List.of() : existing.manifest().layers());
    layers.add(payload.layer());
    Map<Digest, byte[]> blobs = new LinkedHashMap<>(existing == null ? Map.of() : existing.blobs());
    if (existing != null) {
      blobs.remove(existing.manifest().config().digest());
    }
    blobs.put(payload.layer().digest(), payload.content());
    // cosign's config: go-containerregistry's empty image config, one diff_id per (uncompressed)
    // payload layer.
    ObjectNode config = JSON.createObjectNode();
    config.put("architecture", "");
    config.put("created", "0001-01-01T00:00:00Z");
    config.putArray("history").addObject().put("created", "0001-01-01T00:00:00Z");
    config.put("os", "");
    ObjectNode rootfs = config.putObject("rootfs");
    rootfs.put("type", "layers");
    ArrayNode diffIds = rootfs.putArray("diff_ids");
    layers.forEach(layer -> diffIds.add(layer.digest().toString()));
    config.putObject("config");
    return manifest(MediaTypes.OCI_CONFIG, bytes(config), layers, blobs, null);
  }

  /**
   * The same signature as an OCI 1.1 referrer of {@code subject} (the image manifest's descriptor).
   */
  public SignatureManifest signAsReferrer(ImageReference reference, Descriptor subject) {
    SignedPayload payload = signedPayload(reference, subject.digest());
    return manifest(
        EMPTY_MEDIA_TYPE,
        EMPTY_JSON,
        List.of(payload.layer()),
        Map.of(payload.layer().digest(), payload.content()),
        subject);
  }

  private record SignedPayload(byte[] content, Descriptor layer) {}

  private SignedPayload signedPayload(ImageReference reference, Digest manifestDigest) {
    byte[] payload = SimpleSigningPayload.of(reference, manifestDigest).toJson();
    try {
      Signature ecdsa = Signature.getInstance("SHA256withECDSA");
      ecdsa.initSign(key.privateKey());
      ecdsa.update(payload);
      String signature = Base64.getEncoder().encodeToString(ecdsa.sign());
      return new SignedPayload(
          payload,
          new Descriptor(
              SignatureManifest.PAYLOAD_MEDIA_TYPE,
              Digest.sha256(payload),
              payload.length,
              Map.of(SignatureManifest.SIGNATURE_ANNOTATION, signature)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("ECDSA P-256 signing failed", e);
    }
  }

  private static SignatureManifest manifest(
      String configType,
      byte[] config,
      List<Descriptor> layers,
      Map<Digest, byte[]> layerBlobs,
      Descriptor subject) {
    Descriptor configDescriptor = new Descriptor(configType, Digest.sha256(config), config.length);
    ObjectNode root = JSON.createObjectNode();
    root.put("schemaVersion", 2);
    root.put("mediaType", MediaTypes.OCI_MANIFEST);
    if (subject != null) {
      root.put("artifactType", SignatureManifest.ARTIFACT_TYPE);
    }
    root.set("config", descriptor(configDescriptor));
    ArrayNode layerArray = root.putArray("layers");
    layers.forEach(layer -> layerArray.add(descriptor(layer)));
    if (subject != null) {
      root.set(
          "subject",
          descriptor(new Descriptor(subject.mediaType(), subject.digest(), subject.size())));
    }
    Map<Digest, byte[]> blobs = new LinkedHashMap<>(layerBlobs);
    blobs.put(configDescriptor.digest(), config);
    return new SignatureManifest(Manifest.parse(bytes(root), "signature manifest"), blobs);
  }

  private static ObjectNode descriptor(Descriptor d) {
    ObjectNode node = JSON.createObjectNode();
    node.put("mediaType", d.mediaType());
    node.put("digest", d.digest().toString());
    node.put("size", d.size());
    if (!d.annotations().isEmpty()) {
      ObjectNode annotations = node.putObject("annotations");
      d.annotations().forEach(annotations::put);
    }
    return node;
  }

  private static byte[] bytes(ObjectNode node) {
    try {
      return JSON.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
