package dev.appliance.signing.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageReference;
import dev.appliance.signing.PublicKeys;
import dev.appliance.signing.SignatureRefusal.Reason;
import dev.appliance.signing.SignatureSource;
import dev.appliance.signing.Signer;
import dev.appliance.signing.SigningKey;
import dev.appliance.signing.policy.PolicyDecision.Verdict;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrustPolicyTest {
  private static final SigningKey KEY = SigningKey.generate(new SecureRandom());
  private static final Digest DIGEST = Digest.sha256("m".getBytes(StandardCharsets.UTF_8));
  @TempDir Path dir;

  private Path publicKey() throws IOException {
    return Files.write(dir.resolve("release.pub"), PublicKeys.toPem(KEY.publicKey()));
  }

  private TrustPolicy policy(String json) throws IOException {
    return TrustPolicy.read(Files.writeString(dir.resolve("policy.json"), json));
  }

  private InvalidInputException refused(String json) {
    return assertThrows(InvalidInputException.class, () -> policy(json));
  }

  private String signedBy(Path key, String identity) {
    return "{\"type\":\"sigstoreSigned\",\"keyPath\":\""
        + key
        + "\""
        + (identity == null ? "" : ",\"signedIdentity\":" + identity)
        + "}";
  }

  @Test
  void theMostSpecificScopeWins() throws IOException {
    TrustPolicy policy =
        policy(
            "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{"
                + "\"\":[{\"type\":\"reject\"}],"
                + "\"registry.example\":[{\"type\":\"insecureAcceptAnything\"}],"
                + "\"registry.example/ops\":["
                + signedBy(publicKey(), null)
                + "],"
                + "\"registry.example/ops/lamp:dev\":[{\"type\":\"insecureAcceptAnything\"}],"
                + "\"*.mirror.example\":[{\"type\":\"insecureAcceptAnything\"}]}}}");
    assertEquals(
        "transports.docker[\"registry.example/ops/lamp:dev\"]",
        policy.scopeFor(ImageReference.parse("registry.example/ops/lamp:dev")).name());
    assertEquals(
        "transports.docker[\"registry.example/ops\"]",
        policy.scopeFor(ImageReference.parse("registry.example/ops/lamp:1")).name());
    assertEquals(
        "transports.docker[\"registry.example/ops\"]",
        policy.scopeFor(ImageReference.parse("registry.example/ops/team/x:1")).name());
    assertEquals(
        "transports.docker[\"registry.example\"]",
        policy.scopeFor(ImageReference.parse("registry.example/other:1")).name());
    assertEquals(
        "transports.docker[\"*.mirror.example\"]",
        policy.scopeFor(ImageReference.parse("eu.mirror.example:5000/a:1")).name());
    assertEquals(
        "transports.docker[\"\"]",
        policy.scopeFor(ImageReference.parse("elsewhere.example/a:1")).name());
  }

  @Test
  void defaultAppliesWithoutDockerScopes() throws IOException {
    TrustPolicy policy = policy("{\"default\":[{\"type\":\"insecureAcceptAnything\"}]}");
    PolicyDecision decision =
        new PolicyEvaluator(policy)
            .evaluate(ImageReference.parse("r.example/a:1"), DIGEST, List.of());
    assertEquals(Verdict.UNVERIFIED, decision.verdict());
    assertEquals("default", decision.scope());
  }

  @Test
  void sigstoreSignedAcceptsTheKeyAndRefusesOthersWithReasons() throws IOException {
    TrustPolicy policy = policy("{\"default\":[" + signedBy(publicKey(), null) + "]}");
    ImageReference image = ImageReference.parse("registry.example/ops/lamp:1");
    PolicyEvaluator evaluator = new PolicyEvaluator(policy);

    PolicyDecision verified =
        evaluator.evaluate(image, DIGEST, List.of(new Signer(KEY).sign(image, DIGEST)));
    assertEquals(Verdict.VERIFIED, verified.verdict(), verified.message());
    assertEquals(image.toString(), verified.signers().get(0).signedReference());

    PolicyDecision unsigned = evaluator.evaluate(image, DIGEST, List.of());
    assertEquals(
        List.of(Reason.UNSIGNED), unsigned.refusals().stream().map(r -> r.reason()).toList());
    assertTrue(
        unsigned
            .message()
            .startsWith("refused by " + dir.resolve("policy.json") + " default: unsigned: "),
        unsigned.message());

    PolicyDecision otherKey =
        evaluator.evaluate(
            image,
            DIGEST,
            List.of(new Signer(SigningKey.generate(new SecureRandom())).sign(image, DIGEST)));
    assertEquals(Reason.OTHER_KEY, otherKey.refusals().get(0).reason());
  }

  @Test
  void signaturesAreFetchedOnlyWhereTheScopeRequiresThem() throws IOException {
    TrustPolicy policy =
        policy(
            "{\"default\":[{\"type\":\"insecureAcceptAnything\"}],\"transports\":{\"docker\":{"
                + "\"registry.example/ops\":["
                + signedBy(publicKey(), null)
                + "]}}}");
    ImageReference signedScope = ImageReference.parse("registry.example/ops/lamp:1");
    List<ImageReference> fetched = new java.util.ArrayList<>();
    SignatureSource source =
        (image, digest) -> {
          fetched.add(image);
          return List.of(new Signer(KEY).sign(image, digest));
        };
    PolicyEvaluator evaluator = new PolicyEvaluator(policy);
    assertEquals(
        Verdict.UNVERIFIED,
        evaluator.evaluate(ImageReference.parse("other.example/a:1"), DIGEST, source).verdict());
    assertEquals(List.of(), fetched, "no registry round trip for insecureAcceptAnything");
    assertEquals(Verdict.VERIFIED, evaluator.evaluate(signedScope, DIGEST, source).verdict());
    assertEquals(List.of(signedScope), fetched);
  }

  @Test
  void rejectRefusesEvenASignedImage() throws IOException {
    TrustPolicy policy =
        policy("{\"default\":[" + signedBy(publicKey(), null) + ",{\"type\":\"reject\"}]}");
    ImageReference image = ImageReference.parse("registry.example/ops/lamp:1");
    PolicyDecision decision =
        new PolicyEvaluator(policy)
            .evaluate(image, DIGEST, List.of(new Signer(KEY).sign(image, DIGEST)));
    assertEquals(Verdict.REFUSED, decision.verdict());
    assertEquals(Reason.REJECTED, decision.refusals().get(0).reason());
  }

  @Test
  void signedIdentityKinds() throws IOException {
    ImageReference pulled = ImageReference.parse("mirror.example/ops/lamp:1");
    var signedAsUpstream =
        List.of(new Signer(KEY).sign(ImageReference.parse("registry.example/ops/lamp:1"), DIGEST));
    Map<String, Verdict> expected =
        Map.of(
            "{\"type\":\"matchRepoDigestOrExact\"}", Verdict.REFUSED,
            "{\"type\":\"matchRepository\"}", Verdict.REFUSED,
            "{\"type\":\"exactReference\",\"dockerReference\":\"registry.example/ops/lamp:1\"}",
                Verdict.VERIFIED,
            "{\"type\":\"exactReference\",\"dockerReference\":\"registry.example/ops/lamp:2\"}",
                Verdict.REFUSED,
            "{\"type\":\"exactRepository\",\"dockerRepository\":\"registry.example/ops/lamp\"}",
                Verdict.VERIFIED,
            "{\"type\":\"remapIdentity\",\"prefix\":\"mirror.example/ops\",\"signedPrefix\":\"registry.example/ops\"}",
                Verdict.VERIFIED,
            "{\"type\":\"remapIdentity\",\"prefix\":\"mirror.example/op\",\"signedPrefix\":\"registry.example/op\"}",
                Verdict.REFUSED);
    for (var entry : expected.entrySet()) {
      TrustPolicy policy = policy("{\"default\":[" + signedBy(publicKey(), entry.getKey()) + "]}");
      PolicyDecision decision =
          new PolicyEvaluator(policy).evaluate(pulled, DIGEST, signedAsUpstream);
      assertEquals(
          entry.getValue(), decision.verdict(), entry.getKey() + ": " + decision.message());
    }
  }

  @Test
  void keyDataIsAnInlineBase64Pem() throws IOException {
    String keyData = Base64.getEncoder().encodeToString(PublicKeys.toPem(KEY.publicKey()));
    TrustPolicy policy =
        policy("{\"default\":[{\"type\":\"sigstoreSigned\",\"keyData\":\"" + keyData + "\"}]}");
    ImageReference image = ImageReference.parse("registry.example/ops/lamp:1");
    assertEquals(
        Verdict.VERIFIED,
        new PolicyEvaluator(policy)
            .evaluate(image, DIGEST, List.of(new Signer(KEY).sign(image, DIGEST)))
            .verdict());
  }

  @Test
  void unsupportedAndMalformedPoliciesNameTheFileAndField() throws IOException {
    Path file = dir.resolve("policy.json");
    String key = publicKey().toString();
    assertEquals(
        file
            + ": default[0].type: 'signedBy' (GPG simple signing) is not supported; use sigstoreSigned",
        refused("{\"default\":[{\"type\":\"signedBy\",\"keyType\":\"GPGKeys\"}]}").getMessage());
    assertEquals(
        file
            + ": transports.docker[\"r.example\"][0].fulcio: 'fulcio' is not supported yet (use keyPath or keyData)",
        refused(
                "{\"default\":[{\"type\":\"reject\"}],\"transports\":{\"docker\":{\"r.example\":"
                    + "[{\"type\":\"sigstoreSigned\",\"fulcio\":{}}]}}}")
            .getMessage());
    assertEquals(
        file
            + ": default[0].signedIdentity.type: unknown signedIdentity type 'matchAnything' (supported: matchExact,"
            + " matchRepoDigestOrExact, matchRepository, exactReference, exactRepository, remapIdentity)",
        refused("{\"default\":[" + signedBy(Path.of(key), "{\"type\":\"matchAnything\"}") + "]}")
            .getMessage());
    assertEquals(
        file + ": default[0].keyPath: must be an absolute path, not 'release.pub'",
        refused("{\"default\":[{\"type\":\"sigstoreSigned\",\"keyPath\":\"release.pub\"}]}")
            .getMessage());
    assertEquals(
        file + ": default[0]: sigstoreSigned needs exactly one of keyPath and keyData",
        refused("{\"default\":[{\"type\":\"sigstoreSigned\"}]}").getMessage());
    assertEquals(
        file + ": default: must be a non-empty list of requirements",
        refused("{\"default\":[]}").getMessage());
    assertEquals(
        file + ": default[0].extra: unknown field",
        refused("{\"default\":[{\"type\":\"reject\",\"extra\":1}]}").getMessage());
    assertTrue(
        refused("{\"default\":[{\"type\":\"reject\"}]").getMessage().startsWith(file + ":1:"),
        "JSON errors carry line:column");
    assertTrue(
        refused(
                "{\"default\":[{\"type\":\"sigstoreSigned\",\"keyPath\":\""
                    + dir.resolve("missing.pub")
                    + "\"}]}")
            .getMessage()
            .startsWith(file + ": default[0].keyPath: cannot read public key"));
  }

  @Test
  void lookupOrderIsExplicitThenXdgThenHomeThenSystem() throws IOException {
    Path system = Files.writeString(dir.resolve("etc-policy.json"), "{}");
    Path xdg = dir.resolve("xdg");
    Path home = dir.resolve("home");
    PolicyFiles files =
        new PolicyFiles(Map.of("XDG_CONFIG_HOME", xdg.toString(), "HOME", home.toString()), system);
    assertEquals(Optional.of(system), files.locate(null));

    Path homePolicy = home.resolve(".config/containers/policy.json");
    Files.createDirectories(homePolicy.getParent());
    Files.writeString(homePolicy, "{}");
    assertEquals(
        Optional.of(homePolicy),
        new PolicyFiles(Map.of("HOME", home.toString()), system).locate(null));
    assertEquals(
        Optional.of(system), files.locate(null), "XDG_CONFIG_HOME set: ~/.config is not consulted");

    Path xdgPolicy = xdg.resolve("containers/policy.json");
    Files.createDirectories(xdgPolicy.getParent());
    Files.writeString(xdgPolicy, "{}");
    assertEquals(Optional.of(xdgPolicy), files.locate(null));

    Path explicit = Files.writeString(dir.resolve("explicit.json"), "{}");
    assertEquals(Optional.of(explicit), files.locate(explicit));
    assertThrows(InvalidInputException.class, () -> files.locate(dir.resolve("nope.json")));
    assertEquals(
        Optional.empty(), new PolicyFiles(Map.of(), dir.resolve("absent.json")).locate(null));
  }
}
