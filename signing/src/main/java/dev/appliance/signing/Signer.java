package dev.appliance.signing;

import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Signs an image the way cosign does: the simple-signing payload naming the
 * reference and manifest digest, signed with ECDSA-SHA256 (ASN.1 DER), base64 in
 * the payload layer's annotation. Produces the signature manifest either for the
 * {@code sha256-<hex>.sig} tag or as an OCI 1.1 referrer of the image.
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

    /** The signature manifest for the tag scheme ({@link SignatureManifest#tagFor}), as cosign and skopeo write it. */
    public SignatureManifest sign(ImageReference reference, Digest manifestDigest) {
        SignedPayload payload = signedPayload(reference, manifestDigest);
        // cosign's config: an image config whose single diff_id is the payload (go-containerregistry's empty image plus one layer).
        ObjectNode config = JSON.createObjectNode();
        config.put("architecture", "");
        config.put("created", "0001-01-01T00:00:00Z");
        config.putArray("history").addObject().put("created", "0001-01-01T00:00:00Z");
        config.put("os", "");
        ObjectNode rootfs = config.putObject("rootfs");
        rootfs.put("type", "layers");
        rootfs.putArray("diff_ids").add(payload.layer().digest().toString());
        config.putObject("config");
        return manifest(MediaTypes.OCI_CONFIG, bytes(config), payload, null);
    }

    /** The same signature as an OCI 1.1 referrer of {@code subject} (the image manifest's descriptor). */
    public SignatureManifest signAsReferrer(ImageReference reference, Descriptor subject) {
        return manifest(EMPTY_MEDIA_TYPE, EMPTY_JSON, signedPayload(reference, subject.digest()), subject);
    }

    private record SignedPayload(byte[] content, Descriptor layer) {}

    private SignedPayload signedPayload(ImageReference reference, Digest manifestDigest) {
        byte[] payload = SimpleSigningPayload.of(reference, manifestDigest).toJson();
        try {
            Signature ecdsa = Signature.getInstance("SHA256withECDSA");
            ecdsa.initSign(key.privateKey());
            ecdsa.update(payload);
            String signature = Base64.getEncoder().encodeToString(ecdsa.sign());
            return new SignedPayload(payload, new Descriptor(SignatureManifest.PAYLOAD_MEDIA_TYPE, Digest.sha256(payload),
                    payload.length, Map.of(SignatureManifest.SIGNATURE_ANNOTATION, signature)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ECDSA P-256 signing failed", e);
        }
    }

    private static SignatureManifest manifest(String configType, byte[] config, SignedPayload payload, Descriptor subject) {
        Descriptor configDescriptor = new Descriptor(configType, Digest.sha256(config), config.length);
        ObjectNode root = JSON.createObjectNode();
        root.put("schemaVersion", 2);
        root.put("mediaType", MediaTypes.OCI_MANIFEST);
        if (subject != null) {
            root.put("artifactType", SignatureManifest.ARTIFACT_TYPE);
        }
        root.set("config", descriptor(configDescriptor));
        root.putArray("layers").add(descriptor(payload.layer()));
        if (subject != null) {
            root.set("subject", descriptor(new Descriptor(subject.mediaType(), subject.digest(), subject.size())));
        }
        Map<Digest, byte[]> blobs = new LinkedHashMap<>();
        blobs.put(configDescriptor.digest(), config);
        blobs.put(payload.layer().digest(), payload.content());
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
