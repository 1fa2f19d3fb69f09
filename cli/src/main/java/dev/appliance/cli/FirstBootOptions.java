package dev.appliance.cli;

import dev.appliance.common.InvalidInputException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * {@code --param}, {@code --param-file} and {@code --secret}: first-boot inputs, shared by run and
 * export.
 */
final class FirstBootOptions {
  @Option(
      names = "--param",
      paramLabel = "NAME=VALUE",
      description = "First-boot parameter of the image.")
  List<String> params = new ArrayList<>();

  @Option(
      names = "--param-file",
      paramLabel = "NAME=FILE",
      description =
          "First-boot parameter whose value is the whole content of FILE (e.g. a rules file).")
  List<String> paramFiles = new ArrayList<>();

  @Option(
      names = "--secret",
      paramLabel = "NAME=@FILE|NAME=-",
      description =
          "Secret parameter, read from a file or standard input; never put on a command line.")
  List<String> secrets = new ArrayList<>();

  Map<String, String> params() {
    return RunInputs.params(params, paramFiles);
  }

  /** Reads the secrets; standard input can serve only one of them or the registry password. */
  Map<String, byte[]> secrets(InputStream stdin, RegistryCliOptions registry) {
    if (registry.passwordStdin && secrets.stream().anyMatch(s -> s.endsWith("=-"))) {
      throw new InvalidInputException(
          "--password-stdin and --secret NAME=- cannot both read standard input");
    }
    return RunInputs.secrets(secrets, stdin);
  }
}
