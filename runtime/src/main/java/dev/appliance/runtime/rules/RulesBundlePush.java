package dev.appliance.runtime.rules;

import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageReference;
import dev.appliance.oci.Manifest;
import dev.appliance.registry.RegistryOptions;
import dev.appliance.registry.RemoteRepository;
import dev.appliance.registry.TransferListener;
import java.util.List;
import java.util.Map;

/**
 * {@code appliance rules push}: pushes a {@link RulesBundle} to a registry as a {@link
 * RulesBundleFormat} artifact. Nothing but blobs and a manifest: any registry takes it, no
 * referrers API needed. The manifest is content-addressed (no time stamp): the same files give the
 * same digest, which a sensor pins.
 */
public final class RulesBundlePush {
  /**
   * What was pushed.
   *
   * @param digest the manifest's digest: pin the sensor to {@code REPOSITORY@digest}
   */
  public record Result(ImageReference reference, Digest digest, List<String> files, int rules) {
    /** The pinned reference a sensor's rules_bundle parameter takes. */
    public String pinned() {
      return reference.registry() + "/" + reference.repository() + "@" + digest;
    }
  }

  private final RegistryOptions registry;
  private final TransferListener listener;

  public RulesBundlePush(RegistryOptions registry, TransferListener listener) {
    this.registry = registry;
    this.listener = listener;
  }

  public Result push(RulesBundle bundle, String reference) {
    ImageReference ref = RemoteRepository.parseReference(reference, "REF");
    if (ref.digest() != null) {
      throw new InvalidInputException(
          reference + ": a rules bundle is pushed under a tag (its digest is printed)");
    }
    byte[] tar = bundle.tar();
    Descriptor layer =
        new Descriptor(RulesBundleFormat.LAYER_MEDIA_TYPE, Digest.sha256(tar), tar.length);
    Descriptor config =
        new Descriptor(
            RulesBundleFormat.EMPTY_MEDIA_TYPE,
            Digest.sha256(RulesBundleFormat.EMPTY_CONFIG),
            RulesBundleFormat.EMPTY_CONFIG.length);
    Manifest manifest =
        Manifest.create(
            RulesBundleFormat.ARTIFACT_TYPE,
            config,
            List.of(layer),
            Map.of("org.opencontainers.image.title", "IDS rules bundle"));
    RemoteRepository repository = RemoteRepository.open(ref, registry, listener, true);
    repository.putBlob(config.digest(), RulesBundleFormat.EMPTY_CONFIG);
    listener.blobStarted(layer);
    boolean uploaded = repository.putBlob(layer.digest(), tar);
    listener.blobFinished(layer, !uploaded);
    repository.putManifest(ref.tagOrDigest(), manifest.raw(), manifest.mediaType());
    return new Result(
        ref,
        manifest.digest(),
        bundle.files().stream().map(RulesFile::name).toList(),
        bundle.ruleCount());
  }
}
