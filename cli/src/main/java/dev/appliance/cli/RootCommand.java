package dev.appliance.cli;

import dev.appliance.builder.UserNamespace;

/**
 * A subcommand that builds root file systems and so needs root: without it, the process re-runs
 * itself as root of a user namespace (unshare mode, see {@link UserNamespace}), with the user's own
 * data directories, and returns that run's exit code.
 */
abstract class RootCommand extends BaseCommand {
  @Override
  public final Integer call() {
    return UserNamespace.needed() ? UserNamespace.rerunThisProcess() : callAsRoot();
  }

  /** The command's work, as root (of the host or of a user namespace). */
  protected abstract Integer callAsRoot();
}
