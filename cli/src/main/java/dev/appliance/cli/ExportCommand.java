package dev.appliance.cli;

import dev.appliance.runtime.export.ExportFormat;
import dev.appliance.runtime.export.ExportOptions;
import dev.appliance.runtime.export.ExportResult;
import dev.appliance.runtime.export.Exporter;
import dev.appliance.runtime.export.StateVolume;
import dev.appliance.runtime.export.UpdateChannel;
import dev.appliance.signing.PublicKeys;
import dev.appliance.store.ImageStore;
import dev.appliance.store.StoredImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

@Command(
    name = "export",
    description = {
      "Export an image as a VM disk that boots on its own under UEFI (no appliance runtime needed).",
      "Prints the paths of the files written (and the containerDisk reference with --kubevirt).",
      "With --param/--secret it also writes NAME-config.img, the first-boot config disk to attach"
          + " as a second disk (mode 0600: it holds the secrets); --libvirt attaches it."
    })
final class ExportCommand extends RegistryCommand {
  @Parameters(
      index = "0",
      paramLabel = "IMAGE",
      description = "Image in the local store (tag or digest).")
  String image;

  @Option(
      names = "--format",
      paramLabel = "FORMAT",
      defaultValue = "qcow2",
      converter = ExportFormatConverter.class,
      description =
          "raw, qcow2, ova, or for clouds azure (VHD), gce (disk.raw in tar.gz) or aws (VMDK) (default: ${DEFAULT-VALUE}).")
  ExportFormat format;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "DIR",
      defaultValue = ".",
      description = "Directory to write to (default: the current directory).")
  Path outputDir;

  @Option(names = "--libvirt", description = "Also write a libvirt domain XML next to the disk.")
  boolean libvirt;

  @Option(
      names = "--kubevirt",
      paramLabel = "REF",
      description =
          "Also push a KubeVirt containerDisk image to REF and write a VirtualMachine + Service manifest;"
              + " the image must then pass the signature policy (checked against the signatures its pull kept).")
  String kubevirt;

  @Option(
      names = "--state-dir",
      paramLabel = "DIR",
      description =
          "A directory where the appliance keeps its state (repeatable; the recipe's state-dirs):"
              + " the disk's boot entry names it, and the guest bind-mounts it from a disk with the"
              + " serial appliance-state, formatted on the first boot; with --kubevirt the"
              + " VirtualMachine gets that disk as a blank DataVolume (default with --kubevirt and on"
              + " an updating disk, whose data partition holds them: the state-dirs the image"
              + " records).")
  List<String> stateDirs = new ArrayList<>();

  @Option(
      names = "--state-size",
      paramLabel = "SIZE",
      converter = SizeConverter.class,
      description = "Size of the KubeVirt state DataVolume, e.g. 10G (default: 1G).")
  Long stateSize;

  @Option(
      names = "--kubevirt-persistent-root",
      description =
          "With --kubevirt: import the root disk into a DataVolume through CDI (registry source)"
              + " instead of booting the ephemeral containerDisk.")
  boolean persistentRoot;

  @Option(
      names = "--no-updates",
      description =
          "Write the single-slot disk: no root slots A/B, no data partition, no self-updates"
              + " (always so with --kubevirt).")
  boolean noUpdates;

  @Option(
      names = "--update-from",
      paramLabel = "REPO:TAG",
      description =
          "[http://]REGISTRY/REPOSITORY:TAG the appliance follows for updates (the first-boot"
              + " parameter update_from changes it); push it with `appliance push --root-slot`.")
  String updateFrom;

  @Option(
      names = "--update-ca",
      paramLabel = "FILE",
      description = "PEM CA certificate the appliance trusts for the update registry's TLS.")
  Path updateCa;

  @Option(
      names = "--update-key",
      paramLabel = "FILE",
      description =
          "cosign public key (PEM, as `appliance key generate` writes it): the appliance updates"
              + " only to an image and root-slot artifact signed by it (push --root-slot"
              + " --sign-key signs both).")
  Path updateKey;

  @Option(
      names = "--data-size",
      paramLabel = "SIZE",
      converter = SizeConverter.class,
      description =
          "Size of the data partition of an updating disk (state directories and downloads;"
              + " default: 1G).")
  Long dataSize;

  @Mixin PolicyOptions policy;

  @Mixin FirstBootOptions firstBoot;

  @Mixin ImageLimitsOptions limits;

  @Override
  public Integer call() {
    if (libvirt && !format.bootsInLibvirt()) {
      throw new ParameterException(
          spec.commandLine(),
          "--libvirt needs --format raw or qcow2: libvirt cannot boot"
              + " an "
              + format.extension
              + " file");
    }
    if (stateSize != null && stateDirs.isEmpty() && kubevirt == null) {
      throw new ParameterException(
          spec.commandLine(), "--state-size needs --state-dir or --kubevirt");
    }
    if (persistentRoot && kubevirt == null) {
      throw new ParameterException(
          spec.commandLine(), "--kubevirt-persistent-root needs --kubevirt");
    }
    StateVolume state =
        new StateVolume(stateDirs, stateSize == null ? StateVolume.DEFAULT_BYTES : stateSize);
    boolean updates = !noUpdates && kubevirt == null;
    if (!updates
        && (updateFrom != null || updateCa != null || updateKey != null || dataSize != null)) {
      throw new ParameterException(
          spec.commandLine(),
          "--update-from, --update-ca, --update-key and --data-size need an updating disk (not"
              + " --no-updates, not --kubevirt)");
    }
    if (updateKey != null) {
      // Refused here, naming the file, rather than by every update in the guest.
      PublicKeys.read(updateKey);
    }
    UpdateChannel channel =
        updates
            ? UpdateChannel.following(
                    updateFrom,
                    updateCa == null ? null : updateCa.toAbsolutePath(),
                    dataSize == null ? UpdateChannel.DEFAULT_DATA_BYTES : dataSize)
                .signedBy(updateKey == null ? null : updateKey.toAbsolutePath())
            : UpdateChannel.NONE;
    ExportOptions options =
        new ExportOptions(
            format,
            outputDir.toAbsolutePath(),
            libvirt,
            kubevirt,
            firstBoot.params(),
            firstBoot.secrets(System.in, registry),
            limits.limits(),
            state,
            persistentRoot,
            channel);
    ImageStore store = store();
    StoredImage stored = store.get(image);
    if (kubevirt != null) {
      // Refused before anything is written or pushed, as pull and run refuse before storing.
      policy.admitStored(store, stored, err());
    }
    output.progress(
        err(),
        "exporting "
            + stored.name()
            + " as "
            + options.format().extension
            + " to "
            + options.outputDir());
    ExportResult result =
        new Exporter(dirs(), registryOptions(), transferProgress("pushing"))
            .export(stored, options);
    if (output.json) {
      out()
          .println(
              Json.write(
                  new Exported(
                      result.disk().toString(),
                      result.files().stream().map(Path::toString).toList(),
                      result.containerDisk())));
    } else {
      result.files().forEach(out()::println);
      if (result.containerDisk() != null) {
        out().println(result.containerDisk());
      }
    }
    return 0;
  }

  /**
   * What --json prints; {@code containerDisk} is null unless pushed as a KubeVirt containerDisk.
   */
  record Exported(String disk, List<String> files, String containerDisk) {}
}
