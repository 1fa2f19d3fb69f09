package dev.appliance.cli;

import dev.appliance.registry.ImagePuller;
import dev.appliance.registry.PullResult;
import dev.appliance.registry.RegistryOptions;
import dev.appliance.registry.TransferListener;
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
        new ImagePuller(
                store(),
                options,
                listener,
                policy.gate(options, listener, err(), line -> output.progress(err(), line)))
            .pull(remote);
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
}
