package dev.appliance.runtime.export;

import dev.appliance.oci.ApplianceMetadata;
import java.nio.file.Path;

/**
 * A libvirt domain for an exported disk: UEFI firmware without secure boot (the disk's loader is
 * not signed), virtio disk and network on libvirt's "default" network, and the serial console the
 * image's kernel writes to. Each capture interface of the image is a further virtio NIC with the
 * MAC the image's network configuration expects, on a host bridge named after it (a Linux bridge or
 * Open vSwitch port fed by a mirror: docs/export.md).
 */
final class LibvirtDomain {
  private LibvirtDomain() {}

  /**
   * @param configDisk the first-boot config disk to attach as vdb, or null
   */
  static String xml(
      ApplianceMetadata metadata, String name, Path disk, ExportFormat format, Path configDisk) {
    return """
                <domain type="kvm">
                  <name>%s</name>
                  <description>%s</description>
                  <memory unit="MiB">%d</memory>
                  <vcpu>%d</vcpu>
                  <os firmware="efi">
                    <type arch="x86_64" machine="q35">hvm</type>
                    <firmware>
                      <feature enabled="no" name="secure-boot"/>
                    </firmware>
                    <boot dev="hd"/>
                  </os>
                  <features>
                    <acpi/>
                    <apic/>
                  </features>
                  <cpu mode="host-model"/>
                  <devices>
                    <disk type="file" device="disk">
                      <driver name="qemu" type="%s"/>
                      <source file="%s"/>
                      <target dev="vda" bus="virtio"/>
                    </disk>
                %s    <interface type="network">
                      <source network="default"/>
                      <model type="virtio"/>
                    </interface>
                %s    <serial type="pty">
                      <target port="0"/>
                    </serial>
                    <console type="pty">
                      <target type="serial" port="0"/>
                    </console>
                    <rng model="virtio">
                      <backend model="random">/dev/urandom</backend>
                    </rng>
                  </devices>
                </domain>
                """
        .formatted(
            Xml.escape(name),
            Xml.escape("appliance " + metadata.name() + " " + metadata.version()),
            metadata.memoryMiB(),
            metadata.cpus(),
            format == ExportFormat.QCOW2 ? "qcow2" : "raw",
            Xml.escape(disk.toAbsolutePath().toString()),
            configDisk == null
                ? ""
                : """
                    <disk type="file" device="disk">
                      <driver name="qemu" type="raw"/>
                      <source file="%s"/>
                      <target dev="vdb" bus="virtio"/>
                      <readonly/>
                    </disk>
                """
                    .formatted(Xml.escape(configDisk.toAbsolutePath().toString())),
            captureInterfaces(metadata));
  }

  private static String captureInterfaces(ApplianceMetadata metadata) {
    StringBuilder xml = new StringBuilder();
    for (int i = 0; i < metadata.networks().size(); i++) {
      xml.append(
          """
              <interface type="bridge">
                <source bridge="%s"/>
                <mac address="%s"/>
                <model type="virtio"/>
              </interface>
          """
              .formatted(
                  Xml.escape(metadata.networks().get(i).name()), ApplianceMetadata.Network.mac(i)));
    }
    return xml.toString();
  }
}
