package dev.appliance.cli;

import picocli.CommandLine.Option;

/** {@code --mirror} of the commands that resolve packages (build, lock). */
final class MirrorOption {
  @Option(
      names = "--mirror",
      paramLabel = "URL",
      description = "Debian mirror (default: the recipe's, else the host's apt sources).")
  String url;
}
