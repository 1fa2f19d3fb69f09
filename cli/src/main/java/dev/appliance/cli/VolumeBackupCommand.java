package dev.appliance.cli;

import dev.appliance.runtime.backup.VolumeBackup;
import dev.appliance.runtime.instance.InstanceManager;
import dev.appliance.runtime.instance.VolumeStore;
import java.time.Clock;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "backup",
    description = {
      "Push a copy of a named volume to a registry as an OCI artifact (see docs/backup.md).",
      "Only chunks the repository does not have yet are uploaded, so later backups send only what changed;"
          + " the tag moves when every chunk is in. Refuses while an instance using the volume runs,"
          + " unless --stop. Prints the manifest digest."
    })
final class VolumeBackupCommand extends RegistryCommand {
  @Parameters(index = "0", paramLabel = "VOLUME", description = "The named volume.")
  String volume;

  @Parameters(
      index = "1",
      paramLabel = "REF",
      description = "REGISTRY/REPOSITORY:TAG to push the backup to.")
  String reference;

  @Option(
      names = "--stop",
      description =
          "Stop the running instance using the volume for the backup (a clean power-off), and start"
              + " it again afterwards.")
  boolean stop;

  @Option(
      names = "--chunk-size",
      paramLabel = "SIZE",
      converter = SizeConverter.class,
      description =
          "Bytes per chunk, a power of two from 64K to 64M (default: 4M). Smaller chunks make"
              + " later backups send less for scattered changes.")
  Long chunkSize;

  @Override
  public Integer call() {
    VolumeBackup.Options options =
        new VolumeBackup.Options(
            stop,
            chunkSize == null
                ? VolumeBackup.Options.defaults().chunkSize()
                // Out of range (an int cannot hold it) is refused by Options with the option's
                // name.
                : (int) Math.min(chunkSize, Integer.MAX_VALUE));
    VolumeBackup.Result result =
        new VolumeBackup(
                new InstanceManager(dirs()),
                new VolumeStore(dirs()),
                registryOptions(),
                transferProgress("backing up"),
                Clock.systemUTC())
            .backup(volume, reference, options, line -> err().println(line));
    BackedUp json =
        new BackedUp(
            result.reference().toString(),
            result.manifest().toString(),
            result.volumeBytes(),
            result.uploadedChunks(),
            result.uploadedBytes(),
            result.skippedChunks(),
            result.skippedBytes(),
            result.emptyBytes(),
            result.restarted());
    TransferProgress.printResult(
        out(),
        err(),
        output,
        json,
        json.reference() + " " + json.digest(),
        "backed up volume "
            + volume
            + " ("
            + Sizes.human(result.volumeBytes())
            + "): uploaded "
            + Sizes.human(result.uploadedBytes())
            + " in "
            + result.uploadedChunks()
            + " chunks, skipped "
            + Sizes.human(result.skippedBytes())
            + " in "
            + result.skippedChunks()
            + " chunks already in the registry, "
            + Sizes.human(result.emptyBytes())
            + " empty (not stored)");
    return 0;
  }

  /** What --json prints. */
  record BackedUp(
      String reference,
      String digest,
      long volumeBytes,
      int chunksUploaded,
      long bytesUploaded,
      int chunksSkipped,
      long bytesSkipped,
      long bytesEmpty,
      List<String> restarted) {}
}
