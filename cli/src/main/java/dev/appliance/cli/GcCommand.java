package dev.appliance.cli;

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
    ImageStore.GcResult result = ImageStore.open(dirs().store()).gc();
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
