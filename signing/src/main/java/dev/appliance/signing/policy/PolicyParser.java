package dev.appliance.signing.policy;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.ImageReference;
import dev.appliance.signing.PublicKeys;
import dev.appliance.signing.internal.Text;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads containers-policy.json strictly: every field is known and checked, and what appliance does
 * not implement is refused naming the file and the field, never silently ignored (an ignored
 * requirement would accept what the author meant to refuse).
 */
final class PolicyParser {
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(DeserializationFeature.FAIL_ON_READING_DUP_TREE_KEY);

  /**
   * The transports containers/image knows; only docker's scopes matter to appliance, the others are
   * still checked.
   */
  private static final Set<String> TRANSPORTS =
      Set.of(
          "docker",
          "atomic",
          "containers-storage",
          "dir",
          "docker-archive",
          "docker-daemon",
          "oci",
          "oci-archive",
          "sif",
          "tarball",
          "ostree");

  private static final Set<String> NOT_YET =
      Set.of(
          "keyPaths",
          "keyDatas",
          "fulcio",
          "rekorPublicKeyPath",
          "rekorPublicKeyData",
          "rekorPublicKeyPaths",
          "rekorPublicKeyDatas",
          "pki");
  private static final Pattern SCOPE = Pattern.compile("[A-Za-z0-9._:/@\\[\\]*-]{0,512}");

  private final String file;

  PolicyParser(Path file) {
    this.file = file.toString();
  }

  TrustPolicy parse(byte[] content, Path source) {
    JsonNode root;
    try {
      root = JSON.readTree(new String(content, StandardCharsets.UTF_8));
    } catch (JsonProcessingException e) {
      var at = e.getLocation();
      throw new InvalidInputException(
          file
              + (at == null ? "" : ":" + at.getLineNr() + ":" + at.getColumnNr())
              + ": not valid JSON: "
              + e.getOriginalMessage(),
          e);
    }
    if (root == null || !root.isObject()) {
      throw error("", "the policy must be a JSON object");
    }
    onlyFields(root, Set.of("default", "transports"), "");
    List<Requirement> defaults = requirements(root.get("default"), "default");
    Map<String, List<Requirement>> docker = new LinkedHashMap<>();
    JsonNode transports = root.get("transports");
    if (transports != null && !transports.isNull()) {
      object(transports, "transports");
      for (Iterator<Map.Entry<String, JsonNode>> it = transports.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> transport = it.next();
        String field = "transports." + transport.getKey();
        if (!TRANSPORTS.contains(transport.getKey())) {
          throw error(field, "unknown transport '" + Text.shown(transport.getKey()) + "'");
        }
        object(transport.getValue(), field);
        for (Iterator<Map.Entry<String, JsonNode>> scopes = transport.getValue().fields();
            scopes.hasNext(); ) {
          Map.Entry<String, JsonNode> scope = scopes.next();
          String scopeField = field + "[\"" + Text.shown(scope.getKey()) + "\"]";
          if (!SCOPE.matcher(scope.getKey()).matches()) {
            throw error(
                scopeField,
                "invalid scope (letters, digits and . _ : / @ [ ] * - only, at most 512)");
          }
          List<Requirement> list = requirements(scope.getValue(), scopeField);
          if (transport.getKey().equals("docker")) {
            docker.put(scope.getKey(), list);
          }
        }
      }
    }
    return new TrustPolicy(source, defaults, docker);
  }

  private List<Requirement> requirements(JsonNode node, String field) {
    if (node == null || !node.isArray() || node.isEmpty()) {
      throw error(field, "must be a non-empty list of requirements");
    }
    List<Requirement> list = new ArrayList<>();
    for (int i = 0; i < node.size(); i++) {
      list.add(requirement(node.get(i), field + "[" + i + "]"));
    }
    return list;
  }

  private Requirement requirement(JsonNode node, String field) {
    object(node, field);
    String type = node.path("type").asText("");
    return switch (type) {
      case "insecureAcceptAnything" -> {
        onlyFields(node, Set.of("type"), field);
        yield new Requirement.AcceptAnything();
      }
      case "reject" -> {
        onlyFields(node, Set.of("type"), field);
        yield new Requirement.Reject();
      }
      case "sigstoreSigned" -> sigstoreSigned(node, field);
      case "signedBy" ->
          throw error(
              field + ".type",
              "'signedBy' (GPG simple signing) is not supported; use sigstoreSigned");
      case "signedBaseLayer" -> throw error(field + ".type", "'signedBaseLayer' is not supported");
      default ->
          throw error(
              field + ".type",
              "unknown requirement type '"
                  + Text.shown(type)
                  + "' (supported: insecureAcceptAnything, reject, sigstoreSigned)");
    };
  }

  private Requirement sigstoreSigned(JsonNode node, String field) {
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (NOT_YET.contains(name)) {
        throw error(
            field + "." + name, "'" + name + "' is not supported yet (use keyPath or keyData)");
      }
    }
    onlyFields(node, Set.of("type", "keyPath", "keyData", "signedIdentity"), field);
    JsonNode keyPath = node.get("keyPath");
    JsonNode keyData = node.get("keyData");
    if ((keyPath == null) == (keyData == null)) {
      throw error(field, "sigstoreSigned needs exactly one of keyPath and keyData");
    }
    ECPublicKey key;
    String keySource;
    if (keyPath != null) {
      Path path = Path.of(text(keyPath, field + ".keyPath"));
      if (!path.isAbsolute()) {
        throw error(
            field + ".keyPath",
            "must be an absolute path, not '" + Text.shown(path.toString()) + "'");
      }
      key = withField(field + ".keyPath", () -> PublicKeys.read(path));
      keySource = path.toString();
    } else {
      byte[] pem =
          withField(
              field + ".keyData",
              () -> Base64.getDecoder().decode(text(keyData, field + ".keyData")));
      key = withField(field + ".keyData", () -> PublicKeys.fromPem(pem, "key"));
      keySource = "keyData";
    }
    JsonNode identity = node.get("signedIdentity");
    SignedIdentity signedIdentity =
        identity == null || identity.isNull()
            ? new SignedIdentity.MatchRepoDigestOrExact()
            : signedIdentity(identity, field + ".signedIdentity");
    return new Requirement.SigstoreSigned(key, keySource, signedIdentity);
  }

  private SignedIdentity signedIdentity(JsonNode node, String field) {
    object(node, field);
    String type = node.path("type").asText("");
    return switch (type) {
      case "matchExact" -> only(node, field, new SignedIdentity.MatchExact());
      case "matchRepoDigestOrExact" ->
          only(node, field, new SignedIdentity.MatchRepoDigestOrExact());
      case "matchRepository" -> only(node, field, new SignedIdentity.MatchRepository());
      case "exactReference" -> {
        onlyFields(node, Set.of("type", "dockerReference"), field);
        ImageReference ref = reference(node.get("dockerReference"), field + ".dockerReference");
        yield new SignedIdentity.ExactReference(ref);
      }
      case "exactRepository" -> {
        onlyFields(node, Set.of("type", "dockerRepository"), field);
        String text = text(node.get("dockerRepository"), field + ".dockerRepository");
        ImageReference repo = reference(node.get("dockerRepository"), field + ".dockerRepository");
        if (text.contains("@") || text.substring(text.lastIndexOf('/') + 1).contains(":")) {
          throw error(field + ".dockerRepository", "must name a repository, without tag or digest");
        }
        yield new SignedIdentity.ExactRepository(repo);
      }
      case "remapIdentity" -> {
        onlyFields(node, Set.of("type", "prefix", "signedPrefix"), field);
        yield new SignedIdentity.RemapIdentity(
            prefix(node.get("prefix"), field + ".prefix"),
            prefix(node.get("signedPrefix"), field + ".signedPrefix"));
      }
      default ->
          throw error(
              field + ".type",
              "unknown signedIdentity type '"
                  + Text.shown(type)
                  + "' (supported: matchExact, matchRepoDigestOrExact, matchRepository, exactReference, exactRepository, remapIdentity)");
    };
  }

  private SignedIdentity only(JsonNode node, String field, SignedIdentity identity) {
    onlyFields(node, Set.of("type"), field);
    return identity;
  }

  private ImageReference reference(JsonNode node, String field) {
    String text = text(node, field);
    ImageReference ref = withField(field, () -> ImageReference.parse(text));
    if (!ref.hasRegistry()) {
      throw error(
          field, "'" + Text.shown(text) + "' must be fully qualified (registry/repository)");
    }
    return ref;
  }

  /** A remapIdentity prefix: a host, or a host and repository namespace, without tag or digest. */
  private String prefix(JsonNode node, String field) {
    String text = text(node, field);
    if (!SCOPE.matcher(text).matches()
        || text.isEmpty()
        || text.contains("@")
        || text.contains("*")) {
      throw error(field, "invalid prefix '" + Text.shown(text) + "'");
    }
    return text;
  }

  private String text(JsonNode node, String field) {
    if (node == null || !node.isTextual()) {
      throw error(field, "must be a string");
    }
    return node.asText();
  }

  private void object(JsonNode node, String field) {
    if (node == null || !node.isObject()) {
      throw error(field, "must be a JSON object");
    }
  }

  private void onlyFields(JsonNode node, Set<String> allowed, String field) {
    for (Iterator<String> names = node.fieldNames(); names.hasNext(); ) {
      String name = names.next();
      if (!allowed.contains(name)) {
        throw error(field.isEmpty() ? name : field + "." + name, "unknown field");
      }
    }
  }

  private <T> T withField(String field, java.util.function.Supplier<T> read) {
    try {
      return read.get();
    } catch (InvalidInputException | IllegalArgumentException e) {
      throw error(field, e.getMessage());
    }
  }

  private InvalidInputException error(String field, String message) {
    return new InvalidInputException(file + (field.isEmpty() ? "" : ": " + field) + ": " + message);
  }
}
