package dev.appliance.signing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageReference;
import dev.appliance.signing.internal.Dsse;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The key and signature formats checked against independent implementations that run here:
 * libsodium's secretbox (python3-nacl) with OpenSSL's scrypt for the encrypted private key, and the
 * openssl CLI for keys and ECDSA signatures. (Debian 12's skopeo and podman are built with sigstore
 * disabled, so they cannot be the independent side; see SkopeoSigningInteropTest.)
 */
class IndependentImplementationsTest {
  private static final String PASSPHRASE = "correct horse battery staple";
  @TempDir Path dir;

  @Test
  void libsodiumDecryptsAnApplianceKeyToTheSameKeyPair() throws Exception {
    KeyPairFiles files = KeyPairFiles.forPrefix(dir.resolve("release"));
    files.generate(Passphrase.of(PASSPHRASE.toCharArray()), false, new SecureRandom());

    Path der = dir.resolve("decrypted.der");
    run(
        PASSPHRASE + "\n",
        "/usr/bin/python3",
        script(),
        "decrypt",
        files.privateKey().toString(),
        der.toString());
    String derivedPublic =
        run("", "openssl", "pkey", "-inform", "DER", "-in", der.toString(), "-pubout");
    assertEquals(Files.readString(files.publicKey()).strip(), derivedPublic.strip());
  }

  @Test
  void applianceReadsAKeyLibsodiumEncrypted() throws Exception {
    Path pem = dir.resolve("openssl.pem");
    run(
        "",
        "openssl",
        "genpkey",
        "-algorithm",
        "EC",
        "-pkeyopt",
        "ec_paramgen_curve:P-256",
        "-out",
        pem.toString());
    Path der = dir.resolve("key.der");
    run(
        "",
        "openssl",
        "pkcs8",
        "-topk8",
        "-nocrypt",
        "-in",
        pem.toString(),
        "-outform",
        "DER",
        "-out",
        der.toString());
    Path encrypted = dir.resolve("cosign.key");
    run(
        PASSPHRASE + "\n",
        "/usr/bin/python3",
        script(),
        "encrypt",
        der.toString(),
        encrypted.toString());

    SigningKey key = PrivateKeys.read(encrypted, Passphrase.of(PASSPHRASE.toCharArray()));
    String opensslPublic = run("", "openssl", "pkey", "-in", pem.toString(), "-pubout");
    assertEquals(
        opensslPublic.strip(),
        new String(PublicKeys.toPem(key.publicKey()), StandardCharsets.US_ASCII).strip());
  }

  @Test
  void opensslVerifiesTheSignatureApplianceWrites() throws Exception {
    KeyPairFiles files = KeyPairFiles.forPrefix(dir.resolve("release"));
    SigningKey key =
        files.generate(Passphrase.of(PASSPHRASE.toCharArray()), false, new SecureRandom());
    Digest image = Digest.sha256("an image manifest".getBytes(StandardCharsets.UTF_8));
    SignatureManifest signature =
        new Signer(key).sign(ImageReference.parse("registry.example/ops/lamp:1"), image);

    Descriptor layer = signature.manifest().layers().get(0);
    Path payload = Files.write(dir.resolve("payload"), signature.blob(layer).orElseThrow());
    Path sig =
        Files.write(
            dir.resolve("sig"),
            Base64.getDecoder()
                .decode(layer.annotations().get(SignatureManifest.SIGNATURE_ANNOTATION)));
    String verified = opensslVerify(files.publicKey(), sig, payload);
    assertEquals("Verified OK", verified.strip());

    Files.write(
        payload,
        Files.readString(payload).replace("ops/lamp", "ops/evil").getBytes(StandardCharsets.UTF_8));
    Process altered =
        new ProcessBuilder(
                "openssl",
                "dgst",
                "-sha256",
                "-verify",
                files.publicKey().toString(),
                "-signature",
                sig.toString(),
                payload.toString())
            .redirectErrorStream(true)
            .start();
    assertNotEquals(0, altered.waitFor(), "openssl accepted an altered payload");
  }

  /**
   * DSSE's pre-authentication encoding as its specification gives it, and an attestation envelope
   * whose signature openssl verifies over that encoding (built here independently of appliance).
   */
  @Test
  void opensslVerifiesTheAttestationEnvelopeOverItsPreAuthenticationEncoding() throws Exception {
    assertEquals(
        "DSSEv1 29 http://example.com/HelloWorld 11 hello world",
        new String(
            Dsse.pae(
                "http://example.com/HelloWorld", "hello world".getBytes(StandardCharsets.UTF_8)),
            StandardCharsets.UTF_8));

    KeyPairFiles files = KeyPairFiles.forPrefix(dir.resolve("release"));
    SigningKey key =
        files.generate(Passphrase.of(PASSPHRASE.toCharArray()), false, new SecureRandom());
    Digest image = Digest.sha256("an image manifest".getBytes(StandardCharsets.UTF_8));
    Attester.Envelope envelope =
        new Attester(key)
            .envelope(
                ImageReference.parse("registry.example/ops/lamp:1"),
                image,
                AttestationPredicate.spdx(
                    "{\"spdxVersion\":\"SPDX-2.3\"}".getBytes(StandardCharsets.UTF_8), "lamp:1"));
    JsonNode json = new ObjectMapper().readTree(envelope.content());
    byte[] statement = Base64.getDecoder().decode(json.get("payload").asText());
    String type = json.get("payloadType").asText();
    assertEquals("application/vnd.in-toto+json", type);
    ByteArrayOutputStream pae = new ByteArrayOutputStream();
    pae.writeBytes(
        ("DSSEv1 " + type.length() + " " + type + " " + statement.length + " ")
            .getBytes(StandardCharsets.US_ASCII));
    pae.writeBytes(statement);
    Path signed = Files.write(dir.resolve("pae"), pae.toByteArray());
    Path sig =
        Files.write(
            dir.resolve("sig"),
            Base64.getDecoder().decode(json.get("signatures").get(0).get("sig").asText()));
    assertEquals("Verified OK", opensslVerify(files.publicKey(), sig, signed).strip());
    assertTrue(
        new String(statement, StandardCharsets.UTF_8)
            .contains("\"sha256\":\"" + image.hex() + "\""));
  }

  @Test
  void payloadIsByteForByteWhatCosignSigns() {
    SigningKey key = SigningKey.generate(new SecureRandom());
    Digest image = Digest.parse("sha256:" + "ab".repeat(32));
    SignatureManifest signature =
        new Signer(key).sign(ImageReference.parse("127.0.0.1:5000/ops/lamp:1"), image);
    // The exact bytes cosign and containers/image produce (Go's encoding/json, field order as
    // there).
    String expected =
        "{\"critical\":{\"identity\":{\"docker-reference\":\"127.0.0.1:5000/ops/lamp:1\"},"
            + "\"image\":{\"docker-manifest-digest\":\"sha256:"
            + "ab".repeat(32)
            + "\"},"
            + "\"type\":\"cosign container image signature\"},\"optional\":null}";
    assertArrayEquals(
        expected.getBytes(StandardCharsets.UTF_8),
        signature.blob(signature.manifest().layers().get(0)).orElseThrow());
  }

  private String script() throws IOException {
    Path script = dir.resolve("cosign_key.py");
    try (var in = getClass().getResourceAsStream("/cosign_key.py")) {
      Files.write(script, in.readAllBytes());
    }
    return script.toString();
  }

  /** openssl's verdict on an ECDSA-SHA256 signature of {@code data}: "Verified OK" or a failure. */
  private static String opensslVerify(Path publicKey, Path signature, Path data)
      throws IOException, InterruptedException {
    return run(
        "",
        "openssl",
        "dgst",
        "-sha256",
        "-verify",
        publicKey.toString(),
        "-signature",
        signature.toString(),
        data.toString());
  }

  /**
   * Runs a command (input on stdin, never a secret in argv); returns stdout, fails on a non-zero
   * exit.
   */
  private static String run(String stdin, String... command)
      throws IOException, InterruptedException {
    Process p =
        new ProcessBuilder(new ArrayList<>(List.of(command)))
            .redirectError(ProcessBuilder.Redirect.INHERIT)
            .start();
    p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), String.join(" ", command) + ": " + out);
    return out;
  }
}
