package dev.appliance.signing;

import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageReference;
import dev.appliance.signing.SignatureRefusal.Reason;
import dev.appliance.signing.internal.SimpleSigningPayload;
import dev.appliance.signing.internal.Text;
import java.security.SignatureException;
import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * Checks cosign signatures against one public key, the manifest digest being accepted and the
 * identity the policy expects. Everything in a signature manifest is untrusted: blobs are checked
 * against their digests, the signature before the payload is parsed, and every refusal says which
 * check failed.
 */
public final class Verifier {
  /** A simple-signing payload is a few hundred bytes; more is not one. */
  static final int MAX_PAYLOAD = 64 * 1024;

  private static final int MAX_SIGNATURE_TEXT = 1024;

  private Verifier() {}

  /** Verifies every payload layer of the signature manifests; accepted if any one verifies. */
  public static VerificationResult verify(
      List<SignatureManifest> signatures,
      ECPublicKey key,
      ExpectedIdentity identity,
      Digest manifestDigest) {
    List<VerifiedSignature> verified = new ArrayList<>();
    List<SignatureRefusal> refusals = new ArrayList<>();
    for (SignatureManifest signature : signatures) {
      for (Descriptor layer : signature.manifest().layers()) {
        if (!SignatureManifest.PAYLOAD_MEDIA_TYPE.equals(layer.mediaType())) {
          continue;
        }
        String where = "signature " + signature.manifest().digest() + " layer " + layer.digest();
        try {
          verified.add(verifyLayer(signature, layer, key, identity, manifestDigest, where));
        } catch (Refused e) {
          refusals.add(e.refusal);
        }
      }
    }
    if (verified.isEmpty() && refusals.isEmpty()) {
      refusals.add(
          new SignatureRefusal(Reason.UNSIGNED, "no cosign signature for " + manifestDigest));
    }
    return new VerificationResult(verified, refusals);
  }

  public static VerificationResult verify(
      SignatureManifest signature,
      ECPublicKey key,
      ExpectedIdentity identity,
      Digest manifestDigest) {
    return verify(List.of(signature), key, identity, manifestDigest);
  }

  private static VerifiedSignature verifyLayer(
      SignatureManifest signature,
      Descriptor layer,
      ECPublicKey key,
      ExpectedIdentity identity,
      Digest expected,
      String where)
      throws Refused {
    byte[] payload = payloadOf(signature, layer, where);
    byte[] signatureBytes = signatureOf(layer, where);
    String fingerprint = PublicKeys.fingerprint(key);
    if (!signatureVerifies(key, payload, signatureBytes, where)) {
      throw new Refused(
          Reason.OTHER_KEY,
          where
              + ": the signature does not verify with key "
              + fingerprint
              + " (signed by another key, or the payload was altered)");
    }
    SimpleSigningPayload parsed;
    ImageReference signedReference;
    try {
      parsed = SimpleSigningPayload.parse(payload);
      signedReference = parsed.reference();
    } catch (InvalidInputException e) {
      throw new Refused(Reason.CORRUPTED, where + ": signed payload is invalid: " + e.getMessage());
    }
    if (!parsed.manifestDigest().equals(expected)) {
      throw new Refused(
          Reason.DIGEST_MISMATCH,
          where
              + ": signed manifest digest "
              + parsed.manifestDigest()
              + " is not the image's "
              + expected
              + " (the image changed after signing)");
    }
    if (!identity.accepts(signedReference)) {
      throw new Refused(
          Reason.IDENTITY_MISMATCH,
          where
              + ": signed identity '"
              + Text.shown(parsed.dockerReference())
              + "' does not match the required "
              + identity.description());
    }
    return new VerifiedSignature(fingerprint, parsed.dockerReference(), parsed.manifestDigest());
  }

  private static byte[] payloadOf(SignatureManifest signature, Descriptor layer, String where)
      throws Refused {
    if (layer.size() > MAX_PAYLOAD) {
      throw new Refused(
          Reason.CORRUPTED,
          where + ": payload of " + layer.size() + " bytes exceeds " + MAX_PAYLOAD);
    }
    Optional<byte[]> payload = signature.blob(layer);
    if (payload.isEmpty()) {
      throw new Refused(Reason.CORRUPTED, where + ": payload blob missing");
    }
    byte[] bytes = payload.get();
    if (bytes.length != layer.size() || !Digest.sha256(bytes).equals(layer.digest())) {
      throw new Refused(
          Reason.CORRUPTED, where + ": payload blob does not match its digest and size");
    }
    return bytes;
  }

  private static byte[] signatureOf(Descriptor layer, String where) throws Refused {
    String text = layer.annotations().get(SignatureManifest.SIGNATURE_ANNOTATION);
    if (text == null || text.isEmpty()) {
      throw new Refused(
          Reason.CORRUPTED,
          where + ": no " + SignatureManifest.SIGNATURE_ANNOTATION + " annotation");
    }
    if (text.length() > MAX_SIGNATURE_TEXT) {
      throw new Refused(
          Reason.CORRUPTED,
          where + ": signature annotation of " + text.length() + " characters is too long");
    }
    try {
      return Base64.getDecoder().decode(text);
    } catch (IllegalArgumentException e) {
      throw new Refused(Reason.CORRUPTED, where + ": signature annotation is not base64");
    }
  }

  private static boolean signatureVerifies(
      ECPublicKey key, byte[] payload, byte[] signature, String where) throws Refused {
    try {
      return Ecdsa.verifies(key, payload, signature);
    } catch (SignatureException e) {
      throw new Refused(Reason.CORRUPTED, where + ": signature is not a DER ECDSA signature");
    }
  }

  /** Internal control flow: one layer's refusal. */
  private static final class Refused extends Exception {
    private final transient SignatureRefusal refusal;

    Refused(Reason reason, String detail) {
      super(detail, null, false, false);
      this.refusal = new SignatureRefusal(reason, detail);
    }
  }
}
