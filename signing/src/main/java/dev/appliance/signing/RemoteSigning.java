package dev.appliance.signing;

import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageReference;
import dev.appliance.registry.RegistryOptions;
import dev.appliance.registry.RemoteRepository;
import dev.appliance.registry.TransferListener;
import dev.appliance.signing.policy.PolicyDecision;
import dev.appliance.signing.policy.PolicyEvaluator;
import dev.appliance.signing.policy.TrustPolicy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.security.interfaces.ECPublicKey;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Signing and verification of images in a registry, what {@code sign}, {@code push --sign-key},
 * {@code verify} and the policy checks of {@code pull} call: the digest is always the one the
 * registry serves for the reference.
 */
public final class RemoteSigning {
  private final RegistryOptions options;
  private final TransferListener listener;

  public RemoteSigning(RegistryOptions options, TransferListener listener) {
    this.options = options;
    this.listener = listener;
  }

  /** What was signed and where the signature went. */
  public record SignResult(ImageReference named, Digest digest, RegistrySignatures.Stored stored) {}

  /**
   * Signs the manifest the registry has for {@code remote}, naming {@code remote} in the payload.
   */
  public SignResult sign(String remote, SigningKey key) {
    ImageReference named = RemoteRepository.parseReference(remote, "image");
    RemoteRepository repository = RemoteRepository.open(named, options, listener, true);
    Descriptor image = manifestOf(repository, named);
    try {
      listener.stage("signing " + named + " (" + image.digest() + ")");
      return new SignResult(
          named,
          image.digest(),
          new RegistrySignatures(repository).sign(new Signer(key), named, image));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** What was attested and where the attestations went. */
  public record AttestResult(
      ImageReference named,
      Digest digest,
      List<String> predicateTypes,
      RegistryAttestations.Stored stored) {}

  /**
   * Signs and attaches the attestations {@code predicates} gives for the digest the registry serves
   * for {@code remote} (the caller finds the image's SBOM and build record by that digest).
   */
  public AttestResult attest(
      String remote, SigningKey key, Function<Digest, List<AttestationPredicate>> predicates) {
    ImageReference named = RemoteRepository.parseReference(remote, "image");
    RemoteRepository repository = RemoteRepository.open(named, options, listener, true);
    Descriptor image = manifestOf(repository, named);
    List<AttestationPredicate> statements = predicates.apply(image.digest());
    try {
      listener.stage("attesting " + named + " (" + image.digest() + ")");
      return new AttestResult(
          named,
          image.digest(),
          statements.stream().map(AttestationPredicate::type).toList(),
          new RegistryAttestations(repository).attest(new Attester(key), named, image, statements));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The signatures and attestations a registry holds for one image digest, unchecked. */
  public record Attached(
      List<SignatureManifest> signatures, List<SignatureManifest> attestations) {}

  public Attached attached(ImageReference image, Digest digest) {
    RemoteRepository repository = RemoteRepository.open(image, options, listener, false);
    try {
      return new Attached(
          new RegistrySignatures(repository).signaturesOf(image, digest),
          new RegistryAttestations(repository).attestationsOf(digest));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The image's digest in the registry and the verdict on it. */
  public record Verification(ImageReference image, Digest digest, PolicyDecision decision) {}

  /** Checks {@code remote}'s signatures against one key, with cosign's default identity rule. */
  public Verification verifyWithKey(String remote, ECPublicKey key) {
    ImageReference image = RemoteRepository.parseReference(remote, "image");
    RemoteRepository repository = RemoteRepository.open(image, options, listener, false);
    Digest digest = manifestOf(repository, image).digest();
    try {
      VerificationResult result =
          Verifier.verify(
              new RegistrySignatures(repository).signaturesOf(image, digest),
              key,
              ExpectedIdentity.repoDigestOrExact(image),
              digest);
      PolicyDecision decision =
          new PolicyDecision(
              result.isVerified()
                  ? PolicyDecision.Verdict.VERIFIED
                  : PolicyDecision.Verdict.REFUSED,
              "key " + PublicKeys.fingerprint(key),
              image.toString(),
              result.verified(),
              result.isVerified() ? List.of() : result.refusals());
      return new Verification(image, digest, decision);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Checks {@code remote} under a policy (the requirements of the scope naming it). */
  public Verification verifyWithPolicy(String remote, TrustPolicy policy) {
    ImageReference image = RemoteRepository.parseReference(remote, "image");
    RemoteRepository repository = RemoteRepository.open(image, options, listener, false);
    Digest digest = manifestOf(repository, image).digest();
    try {
      return new Verification(
          image,
          digest,
          new PolicyEvaluator(policy).evaluate(image, digest, new RegistrySignatures(repository)));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The policy's verdict on {@code image} at {@code digest} (a digest the caller has already
   * fetched and checked).
   */
  public PolicyDecision decide(ImageReference image, Digest digest, TrustPolicy policy) {
    try {
      // The registry is asked for signatures only if the image's scope requires them.
      return new PolicyEvaluator(policy)
          .evaluate(
              image,
              digest,
              (named, d) ->
                  new RegistrySignatures(RemoteRepository.open(image, options, listener, false))
                      .signaturesOf(named, d));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static Descriptor manifestOf(RemoteRepository repository, ImageReference image) {
    Optional<RemoteRepository.RemoteManifest> manifest = repository.manifest(image.tagOrDigest());
    if (manifest.isEmpty()) {
      throw new InvalidInputException(image + ": no such image in the registry");
    }
    if (image.digest() != null && !image.digest().equals(manifest.get().digest())) {
      throw new InvalidInputException(
          image + ": the registry serves " + manifest.get().digest() + " for it");
    }
    return manifest.get().descriptor();
  }
}
