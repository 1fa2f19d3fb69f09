package dev.appliance.cli;

import dev.appliance.builder.ImageDiff;
import dev.appliance.store.ImageStore;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(
    name = "diff",
    description = {
      "List the paths that differ between two images' file systems.",
      "'+' only in the second, '-' only in the first, 'M' changed (with what changed).",
      "Exit code 0 when they are equal, 1 when they differ."
    })
final class DiffCommand extends BaseCommand {
  @Parameters(index = "0", paramLabel = "IMAGE1")
  String first;

  @Parameters(index = "1", paramLabel = "IMAGE2")
  String second;

  @Mixin OutputOptions output;

  @Override
  public Integer call() {
    ImageStore store = ImageStore.open(dirs().store());
    List<ImageDiff.Change> changes = ImageDiff.diff(store.get(first), store.get(second));
    if (output.json) {
      out().println(Json.write(changes));
    } else {
      for (ImageDiff.Change c : changes) {
        out().println(ChangeLines.format(c));
      }
    }
    return changes.isEmpty() ? 0 : 1;
  }
}
