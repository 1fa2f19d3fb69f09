package dev.appliance.signing.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.appliance.common.InvalidInputException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * A DSSE envelope (github.com/secure-systems-lab/dsse), the form cosign signs attestations in: the
 * signature covers the pre-authentication encoding of the payload type and payload, never the JSON
 * around them.
 *
 * @param payloadType e.g. {@code application/vnd.in-toto+json}
 * @param payload the signed bytes
 * @param signatures the raw signatures (ASN.1 DER ECDSA for cosign keys)
 */
public record Dsse(String payloadType, byte[] payload, List<byte[]> signatures) {
  /** More signatures than this in one envelope are not read. */
  private static final int MAX_SIGNATURES = 16;

  private static final ObjectMapper JSON = new ObjectMapper();

  public Dsse {
    payload = payload.clone();
    signatures = List.copyOf(signatures);
  }

  /** PAE(type, body) = "DSSEv1" SP LEN(type) SP type SP LEN(body) SP body. */
  public static byte[] pae(String payloadType, byte[] payload) {
    byte[] type = payloadType.getBytes(StandardCharsets.UTF_8);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(
        ("DSSEv1 " + type.length + " " + payloadType + " " + payload.length + " ")
            .getBytes(StandardCharsets.UTF_8));
    out.writeBytes(payload);
    return out.toByteArray();
  }

  public byte[] pae() {
    return pae(payloadType, payload);
  }

  public byte[] toJson() {
    ObjectNode root = JSON.createObjectNode();
    Base64.Encoder base64 = Base64.getEncoder();
    root.put("payloadType", payloadType);
    root.put("payload", base64.encodeToString(payload));
    var list = root.putArray("signatures");
    signatures.forEach(s -> list.addObject().put("keyid", "").put("sig", base64.encodeToString(s)));
    try {
      return JSON.writeValueAsBytes(root);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Parses an untrusted envelope; {@code where} names it in the error. */
  public static Dsse parse(byte[] json, String where) {
    try {
      JsonNode root = JSON.readTree(json);
      if (root == null
          || !root.path("payloadType").isTextual()
          || !root.path("payload").isTextual()) {
        throw new InvalidInputException(where + ": not a DSSE envelope (payloadType, payload)");
      }
      Base64.Decoder base64 = Base64.getDecoder();
      List<byte[]> signatures = new ArrayList<>();
      for (JsonNode signature : root.path("signatures")) {
        if (signatures.size() >= MAX_SIGNATURES) {
          break;
        }
        if (signature.path("sig").isTextual()) {
          signatures.add(base64.decode(signature.path("sig").asText()));
        }
      }
      return new Dsse(
          root.path("payloadType").asText(),
          base64.decode(root.path("payload").asText()),
          signatures);
    } catch (IOException | IllegalArgumentException e) {
      throw new InvalidInputException(where + ": not a DSSE envelope: " + e.getMessage());
    }
  }
}
