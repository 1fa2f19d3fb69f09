package dev.appliance.cli;

import dev.appliance.common.ApplianceDirs;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Shared plumbing of every subcommand: help options, the output streams (results on stdout,
 * progress on stderr) and the appliance directories. Subcommands implement {@link #call()} and
 * return an exit code.
 */
@Command(mixinStandardHelpOptions = true, versionProvider = VersionProvider.class)
abstract class BaseCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  /** Results: digests, tables, JSON. */
  protected PrintWriter out() {
    return spec.commandLine().getOut();
  }

  /** Progress, warnings, logs. */
  protected PrintWriter err() {
    return spec.commandLine().getErr();
  }

  protected ApplianceDirs dirs() {
    return ApplianceDirs.fromEnvironment();
  }
}
