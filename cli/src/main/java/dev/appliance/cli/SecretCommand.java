package dev.appliance.cli;

import dev.appliance.runtime.instance.InstanceManager;
import java.nio.charset.StandardCharsets;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** Prints a secret `run` generated, on stdout only: never in a log, never as an argument. */
@Command(
    name = "secret",
    description =
        "Print a secret that run generated for an instance (e.g. the IDS appliance's"
            + " ids_token), on standard output.")
final class SecretCommand extends BaseCommand {
  @Parameters(index = "0", paramLabel = "NAME", description = "The instance.")
  String name;

  @Parameters(
      index = "1",
      paramLabel = "SECRET",
      description = "The secret parameter, e.g. ids_token.")
  String secret;

  @Override
  public Integer call() {
    byte[] value = new InstanceManager(dirs()).generatedSecret(name, secret);
    out().println(new String(value, StandardCharsets.UTF_8));
    out().flush();
    return 0;
  }
}
