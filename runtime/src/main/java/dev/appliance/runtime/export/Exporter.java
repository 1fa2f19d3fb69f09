package dev.appliance.runtime.export;

import dev.appliance.common.ApplianceDirs;
import dev.appliance.common.ApplianceException;
import dev.appliance.common.FileTrees;
import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.ApplianceMetadata;
import dev.appliance.oci.StateDirs;
import dev.appliance.registry.RegistryOptions;
import dev.appliance.registry.TransferListener;
import dev.appliance.runtime.disk.DiskAssembler;
import dev.appliance.runtime.disk.ImageFiles;
import dev.appliance.runtime.disk.ImageLayers;
import dev.appliance.runtime.instance.ConfigDisk;
import dev.appliance.store.ImageStore;
import dev.appliance.store.StoredImage;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Exports an image as a self-contained VM disk for other hypervisors: no appliance runtime and no
 * external kernel file needed, it boots under UEFI from its own EFI system partition. Optionally
 * writes a libvirt domain and a KubeVirt VirtualMachine beside it. Outputs appear complete or not
 * at all (written in a temporary directory inside the output directory, then renamed).
 */
public final class Exporter {
  /** systemd-boot as the image ships it (Debian package systemd-boot-efi). */
  static final String BOOTLOADER = "/usr/lib/systemd/boot/efi/systemd-bootx64.efi";

  static final String DEFAULT_KERNEL = "/vmlinuz";
  static final String DEFAULT_INITRD = "/initrd.img";

  private final DiskAssembler disks;
  private final ImageFiles files;
  private final KubeVirt kubeVirt;
  private final TransferListener progress;

  /**
   * @param registry how to reach the registry a KubeVirt containerDisk is pushed to
   * @param listener progress: export stages and the containerDisk push
   */
  public Exporter(ApplianceDirs dirs, RegistryOptions registry, TransferListener listener) {
    this(
        new DiskAssembler(dirs),
        new ImageFiles(dirs),
        ImageStore.open(dirs.store()),
        registry,
        listener);
  }

  public Exporter(
      DiskAssembler disks,
      ImageFiles files,
      ImageStore store,
      RegistryOptions registry,
      TransferListener listener) {
    this.disks = disks;
    this.files = files;
    this.kubeVirt = new KubeVirt(store, registry, listener);
    this.progress = listener;
  }

  /** With the image's state directories when a KubeVirt export names none. */
  public ExportResult export(StoredImage image, ExportOptions options) {
    return export(
        ImageLayers.of(image),
        image.metadata(),
        options.withImageState(
            StateDirs.fromLabels(image.config().labels(), image.name()), image.name()));
  }

  /**
   * @throws InvalidInputException when the image lacks a kernel or boot loader
   * @throws ApplianceException when a tool fails
   */
  public ExportResult export(ImageLayers image, ApplianceMetadata metadata, ExportOptions options) {
    if (options.libvirt() && !options.format().bootsInLibvirt()) {
      throw new InvalidInputException(
          "a libvirt domain needs a raw or qcow2 disk: libvirt cannot boot an "
              + options.format().extension
              + " file");
    }
    options.limits().check(metadata, image.image());
    String name = fileName(metadata);
    Path work = null;
    try {
      Files.createDirectories(options.outputDir());
      work = Files.createTempDirectory(options.outputDir(), ".export-");
      Path raw = work.resolve(name + ".raw");
      String rootPartUuid = uuid(image, "root-partition");
      writeRawDisk(image, metadata, raw, rootPartUuid, options, work);

      if (options.format() != ExportFormat.RAW) {
        progress.stage("converting to " + options.format().extension);
      }
      Path disk =
          switch (options.format()) {
            case RAW -> raw;
            case QCOW2 -> toQcow2(raw, work.resolve(name + ".qcow2"), work);
            case OVA -> Ova.write(raw, work.resolve(name + ".ova"), metadata, name, work);
            case AZURE -> CloudDisk.azureVhd(raw, work.resolve(name + ".vhd"), work);
            case GCE -> CloudDisk.gceTarGz(raw, work.resolve(name + ".tar.gz"), work);
            case AWS -> CloudDisk.awsVmdk(raw, work.resolve(name + ".vmdk"), work);
          };
      // Everything is made in the work directory first, so a failure (a push, say) publishes
      // nothing.
      List<Path> made = new ArrayList<>(List.of(disk));
      Path finalDisk = options.outputDir().resolve(disk.getFileName());
      Path configDisk = null;
      if (options.hasFirstBootInputs()) {
        progress.stage("writing the first-boot config disk");
        Path config = work.resolve(name + "-config.img");
        ConfigDisk.writeForExport(config, options.params(), options.secrets());
        made.add(config);
        configDisk = options.outputDir().resolve(config.getFileName());
      }
      if (options.libvirt()) {
        made.add(
            Files.writeString(
                work.resolve(name + ".xml"),
                LibvirtDomain.xml(metadata, name, finalDisk, options.format(), configDisk),
                StandardCharsets.UTF_8));
      }
      String containerDisk = null;
      if (options.kubevirtRef() != null) {
        Path qcow2 =
            options.format() == ExportFormat.QCOW2
                ? disk
                : toQcow2(raw, work.resolve("containerdisk.qcow2"), work);
        // Compressed for the registry: the containerDisk is pulled by every node that runs it.
        qcow2 = compressedQcow2(qcow2, work.resolve("containerdisk-compressed.qcow2"), work);
        progress.stage("pushing the KubeVirt containerDisk to " + options.kubevirtRef());
        containerDisk = kubeVirt.publish(qcow2, options.kubevirtRef(), metadata, work);
        made.add(
            Files.writeString(
                work.resolve(name + "-kubevirt.yaml"),
                KubeVirt.manifest(
                    metadata,
                    name,
                    containerDisk,
                    new KubeVirt.Storage(
                        options.state(), options.persistentRoot(), Files.size(raw))),
                StandardCharsets.UTF_8));
      }
      List<Path> written = new ArrayList<>();
      for (Path file : made) {
        written.add(publish(file, options.outputDir()));
      }
      return new ExportResult(finalDisk, written, containerDisk);
    } catch (IOException e) {
      throw new ApplianceException("export of " + image.image() + " failed: " + e.getMessage(), e);
    } finally {
      FileTrees.deleteQuietly(work);
    }
  }

  private void writeRawDisk(
      ImageLayers image,
      ApplianceMetadata metadata,
      Path raw,
      String rootPartUuid,
      ExportOptions options,
      Path work)
      throws IOException {
    if (disks.anyCached(image).isEmpty()) {
      progress.stage("assembling the root disk (once per image)");
    }
    Path rootFs = disks.assemble(image, metadata.diskBytes());
    ApplianceMetadata.Kernels k = metadata.kernels();
    String kernel = k != null && k.qemuKernel() != null ? k.qemuKernel() : DEFAULT_KERNEL;
    String initrd = k != null && k.qemuInitrd() != null ? k.qemuInitrd() : DEFAULT_INITRD;
    Map<String, Path> found = files.extract(image, List.of(kernel, initrd, BOOTLOADER)).files();
    if (!found.containsKey(kernel)) {
      throw new InvalidInputException(
          image.image()
              + ": no kernel at "
              + kernel
              + " in the image; an exported disk boots the image's own kernel (recipe kernels.qemu)");
    }
    if (!found.containsKey(BOOTLOADER)) {
      throw new InvalidInputException(
          image.image()
              + ": no UEFI boot loader at "
              + BOOTLOADER
              + "; add the package systemd-boot-efi to the recipe to export it");
    }
    String shared =
        ("rw console=tty0 console=ttyS0,115200 "
                + metadata.kernelCmdline()
                + " "
                + options.state().kernelArgument())
            .strip();
    UpdateChannel updates = options.updates();
    progress.stage("writing the EFI system partition and the GPT disk");
    // The two layouts differ in the ESP's name, the boot entry and the partitions after the ESP.
    String espName;
    String bootDir;
    String entry;
    String bootOptions;
    List<UefiDisk.Partition> partitions;
    if (updates.enabled()) {
      Path data = SlotLayout.dataPartition(updates, image.digest(), metadata, shared, work);
      espName = SlotLayout.ESP_NAME;
      bootDir = SlotLayout.BOOT_DIR_A;
      entry = SlotLayout.ENTRY_A;
      bootOptions = SlotLayout.slotAOptions(rootPartUuid, shared);
      partitions =
          SlotLayout.partitions(
              rootFs,
              data,
              updates.dataBytes(),
              purpose -> purpose.equals(SlotLayout.SLOT_A) ? rootPartUuid : uuid(image, purpose));
    } else {
      espName = "EFI system";
      bootDir = "";
      entry = "appliance.conf";
      bootOptions = "root=PARTUUID=" + rootPartUuid + " " + shared;
      partitions =
          List.of(
              new UefiDisk.Partition(
                  "root",
                  UefiDisk.ROOT_TYPE,
                  rootPartUuid,
                  UefiDisk.roundUp(Files.size(rootFs), UefiDisk.MIB),
                  rootFs));
    }
    UefiDisk.write(
        new UefiDisk.Spec(
            found.get(kernel),
            found.get(initrd),
            found.get(BOOTLOADER),
            uuid(image, "disk"),
            uuid(image, "esp"),
            espName,
            bootDir,
            entry,
            bootOptions,
            partitions),
        raw,
        work);
  }

  private static Path toQcow2(Path raw, Path qcow2, Path work) {
    return QemuImg.convert(raw, "raw", qcow2, "qcow2", work);
  }

  private static Path compressedQcow2(Path qcow2, Path compressed, Path work) {
    return QemuImg.convert(qcow2, "qcow2", compressed, "qcow2", work, "-c");
  }

  private static Path publish(Path file, Path dir) throws IOException {
    return Files.move(
        file,
        dir.resolve(file.getFileName()),
        StandardCopyOption.REPLACE_EXISTING,
        StandardCopyOption.ATOMIC_MOVE);
  }

  /** Stable per image, so exporting twice gives the same partition table. */
  private static String uuid(ImageLayers image, String purpose) {
    return UUID.nameUUIDFromBytes((image.digest() + ":" + purpose).getBytes(StandardCharsets.UTF_8))
        .toString();
  }

  static String fileName(ApplianceMetadata metadata) {
    String base = metadata.name() + (metadata.version().isEmpty() ? "" : "-" + metadata.version());
    return base.replaceAll("[^A-Za-z0-9._-]", "_");
  }
}
