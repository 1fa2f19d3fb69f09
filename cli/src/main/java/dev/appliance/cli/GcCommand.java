package dev.appliance.cli;

import dev.appliance.store.ImageAttachments;
import dev.appliance.store.ImageStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "gc",
    description = "Remove blobs no tagged image needs (and leftovers of interrupted transfers).")
final class GcCommand extends BaseCommand {
  @Mixin OutputOptions output;

  @Override
  public Integer call() {
    ImageStore store = ImageStore.open(dirs().store());
    ImageStore.GcResult result = store.gc();
    // Signatures, attestations and build records of images gc removed go with them.
    new ImageAttachments(store).prune();
    if (output.json) {
      out().println(Json.write(new Collected(result.blobsRemoved(), result.bytesFreed())));
    } else {
      out()
          .println(
              "removed "
                  + result.blobsRemoved()
                  + " blobs, freed "
                  + Sizes.human(result.bytesFreed()));
    }
    return 0;
  }

  /** What --json prints. */
  record Collected(long blobsRemoved, long bytesFreed) {}
}
