package dev.appliance.cli;

import dev.appliance.common.InvalidInputException;
import picocli.CommandLine.Command;

@Command(
    name = "key",
    description = "Manage signing keys (cosign-compatible ECDSA P-256 key pairs).",
    subcommands = {KeyGenerateCommand.class})
final class KeyCommand extends BaseCommand {
  @Override
  public Integer call() {
    throw new InvalidInputException("key: name a subcommand: generate (see appliance key --help)");
  }
}
