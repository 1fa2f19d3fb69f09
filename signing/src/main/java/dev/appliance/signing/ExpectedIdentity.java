package dev.appliance.signing;

import dev.appliance.oci.ImageReference;
import dev.appliance.signing.internal.DockerNames;
import java.util.function.Predicate;

/**
 * Which signed references a verification accepts, with a description for refusals. The policy's
 * {@code signedIdentity} rules produce these.
 */
public record ExpectedIdentity(String description, Predicate<ImageReference> rule) {

  public boolean accepts(ImageReference signed) {
    return rule.test(signed);
  }

  /**
   * containers/image's default: a digest reference needs the same repository, a tag reference the
   * same name and tag.
   */
  public static ExpectedIdentity repoDigestOrExact(ImageReference image) {
    return image.digest() != null ? repository(DockerNames.repositoryName(image)) : exact(image);
  }

  /** Exactly this reference (tag or digest). */
  public static ExpectedIdentity exact(ImageReference reference) {
    return new ExpectedIdentity(
        DockerNames.normalize(reference).toString(),
        signed -> DockerNames.sameReference(signed, reference));
  }

  /** Any reference in this repository ({@code registry/repository}, normalized). */
  public static ExpectedIdentity repository(String repositoryName) {
    return new ExpectedIdentity(
        "any reference in " + repositoryName,
        signed -> DockerNames.repositoryName(signed).equals(repositoryName));
  }

  @Override
  public String toString() {
    return description;
  }
}
