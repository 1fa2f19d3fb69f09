package dev.appliance.signing.policy;

import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.ImageReference;
import dev.appliance.signing.internal.DockerNames;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A parsed containers-policy.json: the default requirements and the docker transport's scopes.
 * Requirements are looked up as containers/image does: the most specific scope naming the image
 * wins (exact reference, then repository and its parent namespaces, then registry, then {@code
 * *.domain} wildcards, then the transport's {@code ""} scope, then {@code default}).
 *
 * @param source the file it was read from
 * @param defaults the {@code default} requirements
 * @param dockerScopes {@code transports.docker}, scope to requirements
 */
public record TrustPolicy(
    Path source, List<Requirement> defaults, Map<String, List<Requirement>> dockerScopes) {
  /** Policy files are small; a larger one is refused before parsing. */
  private static final long MAX_FILE = 1 << 20;

  public TrustPolicy {
    defaults = List.copyOf(defaults);
    dockerScopes = Map.copyOf(dockerScopes);
  }

  /** The requirements that apply to one image, and the scope that supplied them. */
  public record Scope(String name, List<Requirement> requirements) {}

  public static TrustPolicy read(Path file) {
    try {
      if (Files.size(file) > MAX_FILE) {
        throw new InvalidInputException(
            file + ": larger than " + MAX_FILE + " bytes; not a policy file");
      }
      return parse(Files.readAllBytes(file), file);
    } catch (IOException e) {
      throw new InvalidInputException("cannot read policy " + file + ": " + e.getMessage(), e);
    }
  }

  public static TrustPolicy parse(byte[] json, Path file) {
    return new PolicyParser(file).parse(json, file);
  }

  public Scope scopeFor(ImageReference image) {
    for (String candidate : candidateScopes(image)) {
      List<Requirement> found = dockerScopes.get(candidate);
      if (found != null) {
        return new Scope("transports.docker[\"" + candidate + "\"]", found);
      }
    }
    return new Scope("default", defaults);
  }

  /** The keys the requirements for {@code image} name (sigstoreSigned); empty when none. */
  public List<ECPublicKey> keysFor(ImageReference image) {
    return scopeFor(image).requirements().stream()
        .filter(r -> r instanceof Requirement.SigstoreSigned)
        .map(r -> ((Requirement.SigstoreSigned) r).key())
        .toList();
  }

  /** Most specific first. */
  static List<String> candidateScopes(ImageReference image) {
    ImageReference n = DockerNames.normalize(image);
    List<String> scopes = new ArrayList<>();
    String repository = n.registry() + "/" + n.repository();
    scopes.add(n.digest() != null ? repository + "@" + n.digest() : repository + ":" + n.tag());
    for (String namespace = repository;
        namespace.contains("/");
        namespace = namespace.substring(0, namespace.lastIndexOf('/'))) {
      scopes.add(namespace);
    }
    scopes.add(n.registry());
    String host = n.registry().startsWith("[") ? n.registry() : n.registry().split(":")[0];
    for (int dot = host.indexOf('.'); dot >= 0; dot = host.indexOf('.', dot + 1)) {
      scopes.add("*" + host.substring(dot));
    }
    scopes.add("");
    return scopes;
  }
}
