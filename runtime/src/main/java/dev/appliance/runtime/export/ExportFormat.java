package dev.appliance.runtime.export;

import dev.appliance.common.InvalidInputException;
import java.util.Locale;

/** Disk formats {@code appliance export} writes. */
public enum ExportFormat {
  /** A raw GPT disk image, bootable under UEFI. */
  RAW("raw"),
  /** The same disk as qcow2 (libvirt, OpenStack, KubeVirt). */
  QCOW2("qcow2"),
  /** An OVF package: descriptor plus streamOptimized VMDK in one tar (VMware, VirtualBox). */
  OVA("ova"),
  /** Azure: a fixed-size VHD, 1 MiB aligned, booted as a Gen2 (UEFI) VM. */
  AZURE("vhd"),
  /**
   * Google Cloud: {@code disk.raw} in a gzipped oldgnu tar, as {@code gcloud compute images}
   * imports.
   */
  GCE("tar.gz"),
  /**
   * AWS: a stream-optimized VMDK for {@code aws ec2 import-snapshot}, registered with UEFI boot.
   */
  AWS("vmdk");

  public final String extension;

  ExportFormat(String extension) {
    this.extension = extension;
  }

  /** Whether a libvirt domain can boot a disk in this format (an OVA is a package, not a disk). */
  public boolean bootsInLibvirt() {
    return this == RAW || this == QCOW2;
  }

  public static ExportFormat parse(String text) {
    try {
      return valueOf(text.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(
          "unknown export format '" + text + "' (raw, qcow2, ova, azure, gce or aws)");
    }
  }
}
