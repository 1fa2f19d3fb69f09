package dev.appliance.cli;

import dev.appliance.common.InvalidInputException;
import dev.appliance.store.ImageStore;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

@Command(
    name = "rmi",
    description = {
      "Remove image tags from the local store.",
      "The blobs stay until 'appliance gc' removes those no tag needs."
    })
final class RmiCommand extends BaseCommand {
  @Parameters(arity = "1..*", paramLabel = "NAME", description = "Tags to remove, e.g. lamp:1.0.0.")
  List<String> names;

  @Mixin OutputOptions output;

  @Override
  public Integer call() {
    ImageStore store = ImageStore.open(dirs().store());
    List<String> missing = new ArrayList<>();
    List<String> removed = new ArrayList<>();
    for (String name : names) {
      (store.untag(name) ? removed : missing).add(name);
    }
    if (output.json) {
      out().println(Json.write(removed));
    } else {
      removed.forEach(name -> out().println("untagged " + name));
    }
    if (!missing.isEmpty()) {
      throw new InvalidInputException(
          "not in the local store: " + String.join(", ", missing) + " (see 'appliance images')");
    }
    return 0;
  }
}
