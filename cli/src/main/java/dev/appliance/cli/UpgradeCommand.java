package dev.appliance.cli;

import dev.appliance.runtime.instance.InstanceInfo;
import dev.appliance.runtime.instance.InstanceManager;
import dev.appliance.runtime.instance.StoreBootImages;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "upgrade",
    description = {
      "Move an instance to another image (default: its own reference pulled again) with the same"
          + " name, ports, parameters, secrets and volumes, and wait until healthy.",
      "The volumes are snapshotted while the instance is stopped; if the new image is not healthy"
          + " in time, or on Ctrl-C, the snapshot is restored and the previous image boots again"
          + " (exit 1). The snapshot stays as volume NAME.pre-upgrade until the next successful"
          + " upgrade. See docs/operations.md."
    })
final class UpgradeCommand extends RegistryCommand {
  @Parameters(index = "0", paramLabel = "NAME", description = "The instance.")
  String name;

  @Parameters(
      index = "1",
      arity = "0..1",
      paramLabel = "IMAGE",
      description =
          "Image in the local store, or REGISTRY/REPOSITORY[:TAG] (pulled, verified as by pull)."
              + " Default: the instance's image reference again.")
  String image;

  @Mixin HealthTimeoutOption timeout;

  @Mixin ImageLimitsOptions limits;

  @Mixin PolicyOptions policy;

  @Option(
      names = "--no-sandbox",
      description = "Run the new image's engines without a sandbox (as run --no-sandbox).")
  boolean noSandbox;

  @Override
  public Integer call() {
    InstanceManager manager = new InstanceManager(dirs());
    StoreBootImages images = bootImages(limits, policy).pullingAlways();
    InstanceInfo info =
        Interruptible.run(
            err(),
            "rolling back",
            () ->
                manager.upgrade(
                    name,
                    image,
                    images,
                    noSandbox,
                    timeout.orImageDefault(),
                    line -> output.progress(err(), line)));
    InstanceView.printStarted(info, output, out(), err());
    return 0;
  }
}
