package dev.appliance.cli;

import dev.appliance.common.ApplianceException;
import dev.appliance.oci.ImageReference;
import dev.appliance.registry.ImagePuller;
import dev.appliance.registry.PullResult;
import dev.appliance.registry.RegistryOptions;
import dev.appliance.registry.RemoteRepository;
import dev.appliance.registry.TransferListener;
import dev.appliance.signing.LocalAttachments;
import dev.appliance.signing.RemoteSigning;
import java.io.UncheckedIOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(
    name = "pull",
    description = {
      "Pull an image from a registry into the local store, under the same name.",
      "Every blob is verified against its digest; blobs already in the store are not downloaded."
    })
final class PullCommand extends RegistryCommand {
  @Parameters(index = "0", paramLabel = "REMOTE", description = "REGISTRY/REPOSITORY[:TAG|@DIGEST]")
  String remote;

  @Mixin PolicyOptions policy;

  @Override
  public Integer call() {
    RegistryOptions options = registryOptions();
    TransferListener listener = transferProgress("pulling");
    PullResult result =
        new ImagePuller(store(), options, listener, policy.gate(options, listener, err()))
            .pull(remote);
    keepAttachments(options, listener, result);
    Pulled json =
        new Pulled(
            result.source(),
            result.localName(),
            result.digest().toString(),
            result.bytesReceived(),
            result.blobsReceived(),
            result.blobsSkipped());
    TransferProgress.printResult(
        out(),
        err(),
        output,
        json,
        json.digest(),
        "pulled "
            + result.localName()
            + ": received "
            + Sizes.human(result.bytesReceived())
            + " in "
            + result.blobsReceived()
            + " blobs, "
            + result.blobsSkipped()
            + " already in the store");
    return 0;
  }

  /** What --json prints. */
  record Pulled(
      String source,
      String name,
      String digest,
      long bytesReceived,
      int blobsReceived,
      int blobsSkipped) {}

  /**
   * Keeps the image's signatures and attestations in the store (those the policy's keys verify, or
   * every intact one without keys), so that inspect and export check them offline. The image is
   * already pulled: failing to fetch them is a warning.
   */
  private void keepAttachments(
      RegistryOptions options, TransferListener listener, PullResult result) {
    ImageReference source = RemoteRepository.parseReference(result.source(), "image");
    try {
      RemoteSigning.Attached found =
          new RemoteSigning(options, listener).attached(source, result.digest());
      LocalAttachments.Kept kept =
          new LocalAttachments(store())
              .keep(
                  result.digest(),
                  found.signatures(),
                  found.attestations(),
                  policy.keysFor(source));
      if (kept.signatures() + kept.attestations() > 0) {
        output.progress(
            err(),
            "kept "
                + kept.signatures()
                + " signature manifest(s) and "
                + kept.attestations()
                + " attestation manifest(s) with the image");
      }
    } catch (ApplianceException | UncheckedIOException e) {
      err().println("warning: signatures and attestations not kept: " + e.getMessage());
    }
  }
}
