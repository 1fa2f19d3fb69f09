package dev.appliance.cli;

import dev.appliance.registry.RegistryOptions;
import dev.appliance.registry.TransferListener;
import dev.appliance.runtime.instance.StoreBootImages;
import dev.appliance.store.ImageStore;
import picocli.CommandLine.Mixin;

/**
 * Base of the commands that move images through a registry (push, pull, run of a remote image,
 * export --kubevirt): how to reach the registry, --json/--quiet, and transfer progress on stderr.
 */
abstract class RegistryCommand extends BaseCommand {
  @Mixin RegistryCliOptions registry;

  @Mixin OutputOptions output;

  private RegistryOptions options;

  /**
   * Reads the password from standard input with --password-stdin (once: later calls return the same
   * options).
   */
  protected RegistryOptions registryOptions() {
    if (options == null) {
      options = registry.toOptions(System.in);
    }
    return options;
  }

  /** Progress bars (or lines) for {@code verb} ("pushing", "pulling"); nothing with --quiet. */
  protected TransferListener transferProgress(String verb) {
    return TransferProgress.of(err(), output.quiet, verb);
  }

  protected ImageStore store() {
    return ImageStore.open(dirs().store());
  }

  /**
   * Images to boot (run, upgrade): from the store, else pulled under the verification policy and
   * checked against the image limits.
   */
  protected StoreBootImages bootImages(ImageLimitsOptions limits, PolicyOptions policy) {
    return new StoreBootImages(
        dirs(),
        registryOptions(),
        transferProgress("pulling"),
        limits.limits(),
        policy.gate(
            registryOptions(),
            transferProgress("verifying"),
            err(),
            line -> output.progress(err(), line)));
  }
}
