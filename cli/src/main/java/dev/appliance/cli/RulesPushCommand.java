package dev.appliance.cli;

import dev.appliance.common.InvalidInputException;
import dev.appliance.runtime.rules.RulesBundle;
import dev.appliance.runtime.rules.RulesBundlePush;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(
    name = "push",
    description = {
      "Push a rules bundle to a registry: the .rules files (and classification.config,"
          + " threshold.config) of each DIR, and each FILE, as an OCI artifact of its own type.",
      "Prints REGISTRY/REPOSITORY@sha256:..., the value of the sensor's rules_bundle parameter."
    })
final class RulesPushCommand extends RegistryCommand {
  @Parameters(
      arity = "2..*",
      paramLabel = "DIR|FILE... REF",
      description =
          "Directories and files of the bundle, then REGISTRY/REPOSITORY:TAG to push it to.")
  List<String> arguments;

  @Override
  public Integer call() {
    if (arguments.size() < 2) {
      throw new InvalidInputException("rules push: give DIR|FILE... and then REF");
    }
    List<Path> sources = arguments.subList(0, arguments.size() - 1).stream().map(Path::of).toList();
    RulesBundlePush.Result result =
        new RulesBundlePush(registryOptions(), transferProgress("pushing"))
            .push(RulesBundle.read(sources), arguments.get(arguments.size() - 1));
    Pushed json =
        new Pushed(
            result.reference().toString(),
            result.digest().toString(),
            result.pinned(),
            result.files(),
            result.rules());
    TransferProgress.printResult(
        out(),
        err(),
        output,
        json,
        json.pinned(),
        "pushed "
            + result.rules()
            + " rules in "
            + result.files().size()
            + " files to "
            + json.reference());
    return 0;
  }

  /** What --json prints. */
  record Pushed(String reference, String digest, String pinned, List<String> files, int rules) {}
}
