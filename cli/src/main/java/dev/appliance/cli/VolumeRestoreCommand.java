package dev.appliance.cli;

import dev.appliance.runtime.backup.VolumeRestore;
import dev.appliance.runtime.instance.InstanceManager;
import dev.appliance.runtime.instance.VolumeStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "restore",
    description = {
      "Create a named volume from a backup in a registry (made by `appliance volume backup`).",
      "Every chunk is checked against its digest; the volume appears only once complete. Refuses an"
          + " existing volume unless --force. Then `appliance run --volume VOLUME:/path` uses it."
    })
final class VolumeRestoreCommand extends RegistryCommand {
  @Parameters(
      index = "0",
      paramLabel = "REF",
      description = "REGISTRY/REPOSITORY:TAG or @DIGEST of the backup.")
  String reference;

  @Parameters(index = "1", paramLabel = "VOLUME", description = "The volume to create.")
  String volume;

  @Option(
      names = "--force",
      description = "Replace the volume if it exists (refused while an instance using it runs).")
  boolean force;

  @Option(
      names = "--max-size",
      paramLabel = "SIZE",
      converter = SizeConverter.class,
      description = "Refuse a backup of a volume larger than this (default: 1T).")
  Long maxSize;

  @Override
  public Integer call() {
    VolumeRestore.Result result =
        new VolumeRestore(
                new InstanceManager(dirs()),
                new VolumeStore(dirs()),
                registryOptions(),
                transferProgress("restoring"))
            .restore(
                reference,
                volume,
                force,
                maxSize == null ? VolumeRestore.DEFAULT_MAX_SIZE : maxSize);
    Restored json =
        new Restored(
            result.volume(),
            result.manifest().toString(),
            result.volumeBytes(),
            result.chunks(),
            result.downloadedBytes(),
            result.instance(),
            result.image());
    TransferProgress.printResult(
        out(),
        err(),
        output,
        json,
        json.volume(),
        "restored volume "
            + result.volume()
            + " ("
            + Sizes.human(result.volumeBytes())
            + ") from "
            + result.manifest()
            + ": downloaded "
            + Sizes.human(result.downloadedBytes())
            + " in "
            + result.chunks()
            + " chunks"
            + (result.instance().isEmpty()
                ? ""
                : "; backed up from instance " + result.instance() + " of " + result.image()));
    return 0;
  }

  /** What --json prints. */
  record Restored(
      String volume,
      String digest,
      long volumeBytes,
      int chunks,
      long bytesDownloaded,
      String instance,
      String image) {}
}
