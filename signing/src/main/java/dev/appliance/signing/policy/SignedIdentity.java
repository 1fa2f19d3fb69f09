package dev.appliance.signing.policy;

import dev.appliance.oci.ImageReference;
import dev.appliance.signing.ExpectedIdentity;
import dev.appliance.signing.internal.DockerNames;

/**
 * A {@code signedIdentity} of a sigstoreSigned requirement: which signed references it accepts for
 * an image.
 */
public sealed interface SignedIdentity {

  ExpectedIdentity expectedFor(ImageReference image);

  /** The default: same repository for a digest reference, same name and tag for a tag reference. */
  record MatchRepoDigestOrExact() implements SignedIdentity {
    public ExpectedIdentity expectedFor(ImageReference image) {
      return ExpectedIdentity.repoDigestOrExact(image);
    }
  }

  /** Exactly the reference the image is pulled by. */
  record MatchExact() implements SignedIdentity {
    public ExpectedIdentity expectedFor(ImageReference image) {
      return ExpectedIdentity.exact(image);
    }
  }

  /** Any reference in the image's repository. */
  record MatchRepository() implements SignedIdentity {
    public ExpectedIdentity expectedFor(ImageReference image) {
      return ExpectedIdentity.repository(DockerNames.repositoryName(image));
    }
  }

  /** This one reference, whatever the image is pulled as. */
  record ExactReference(ImageReference reference) implements SignedIdentity {
    public ExpectedIdentity expectedFor(ImageReference image) {
      return ExpectedIdentity.exact(reference);
    }
  }

  /** Any reference in this repository, whatever the image is pulled as. */
  record ExactRepository(ImageReference repository) implements SignedIdentity {
    public ExpectedIdentity expectedFor(ImageReference image) {
      return ExpectedIdentity.repository(DockerNames.repositoryName(repository));
    }
  }

  /**
   * For mirrors: an image whose name starts with {@code prefix} is expected to be signed as if
   * named with {@code signedPrefix} instead, then matched as matchRepoDigestOrExact.
   */
  record RemapIdentity(String prefix, String signedPrefix) implements SignedIdentity {
    public ExpectedIdentity expectedFor(ImageReference image) {
      String name = DockerNames.normalize(image).toString();
      if (prefixMatches(name)) {
        return ExpectedIdentity.repoDigestOrExact(
            ImageReference.parse(signedPrefix + name.substring(prefix.length())));
      }
      return ExpectedIdentity.repoDigestOrExact(image);
    }

    /**
     * A prefix matches whole components only: {@code a/b} matches {@code a/b/c} and {@code a/b:t},
     * not {@code a/bc}.
     */
    private boolean prefixMatches(String name) {
      if (!name.startsWith(prefix)) {
        return false;
      }
      if (name.length() == prefix.length()) {
        return true;
      }
      char next = name.charAt(prefix.length());
      return next == '/' || next == ':' || next == '@';
    }
  }
}
