package dev.appliance.cli;

import dev.appliance.common.InvalidInputException;
import picocli.CommandLine.Command;

@Command(
    name = "rules",
    description = {
      "IDS rules bundles: push Snort/Suricata rules to a registry as an OCI artifact that a sensor"
          + " (the snort appliance's rules_bundle parameter) pins by digest, pulls, tests and"
          + " hot-reloads (see recipes/snort/README.md)."
    },
    subcommands = {RulesPushCommand.class})
final class RulesCommand extends BaseCommand {
  @Override
  public Integer call() {
    throw new InvalidInputException("rules: name a subcommand: push (see appliance rules --help)");
  }
}
