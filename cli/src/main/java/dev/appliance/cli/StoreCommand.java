package dev.appliance.cli;

import dev.appliance.common.InvalidInputException;
import picocli.CommandLine.Command;

@Command(
    name = "store",
    description = "Check the local image store.",
    subcommands = {StoreVerifyCommand.class})
final class StoreCommand extends BaseCommand {
  @Override
  public Integer call() {
    throw new InvalidInputException(
        "store: name a subcommand: verify (see appliance store --help)");
  }
}
