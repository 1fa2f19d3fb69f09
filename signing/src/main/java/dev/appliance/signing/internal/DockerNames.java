package dev.appliance.signing.internal;

import dev.appliance.oci.ImageReference;

/**
 * Docker reference normalization as containers/image applies it before comparing signed identities:
 * no registry means docker.io, a one-component docker.io repository is under {@code library/}, and
 * index.docker.io is docker.io.
 */
public final class DockerNames {
  private static final String DOCKER_HUB = "docker.io";

  private DockerNames() {}

  public static ImageReference normalize(ImageReference ref) {
    String registry =
        ref.registry() == null || ref.registry().equals("index.docker.io")
            ? DOCKER_HUB
            : ref.registry();
    String repository =
        registry.equals(DOCKER_HUB) && !ref.repository().contains("/")
            ? "library/" + ref.repository()
            : ref.repository();
    return new ImageReference(registry, repository, ref.tag(), ref.digest());
  }

  /** {@code registry/repository}, normalized. */
  public static String repositoryName(ImageReference ref) {
    ImageReference n = normalize(ref);
    return n.registry() + "/" + n.repository();
  }

  /**
   * The same image named identically: registry, repository, tag and digest all equal after
   * normalization.
   */
  public static boolean sameReference(ImageReference a, ImageReference b) {
    return normalize(a).equals(normalize(b));
  }
}
