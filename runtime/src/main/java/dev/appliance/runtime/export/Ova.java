package dev.appliance.runtime.export;

import dev.appliance.oci.ApplianceMetadata;
import dev.appliance.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * An OVA: a tar holding the OVF descriptor first (readers stream it), then a SHA-256 manifest, then
 * the disk as a streamOptimized VMDK. Memory, CPUs and the network come from the image's metadata;
 * the firmware is EFI.
 */
final class Ova {
  private Ova() {}

  static Path write(Path raw, Path ova, ApplianceMetadata metadata, String name, Path work)
      throws IOException {
    Path vmdk = QemuImg.streamOptimizedVmdk(raw, work.resolve(name + "-disk1.vmdk"), work);
    byte[] ovf =
        descriptor(metadata, name, vmdk.getFileName().toString(), Files.size(vmdk), Files.size(raw))
            .getBytes(StandardCharsets.UTF_8);
    String ovfName = name + ".ovf";
    String manifest =
        "SHA256("
            + ovfName
            + ")= "
            + Digest.sha256(ovf).hex()
            + "\n"
            + "SHA256("
            + vmdk.getFileName()
            + ")= "
            + sha256(vmdk)
            + "\n";
    try (OutputStream out = Files.newOutputStream(ova);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      add(tar, ovfName, ovf);
      add(tar, name + ".mf", manifest.getBytes(StandardCharsets.US_ASCII));
      TarArchiveEntry disk = entry(vmdk.getFileName().toString(), Files.size(vmdk));
      tar.putArchiveEntry(disk);
      Files.copy(vmdk, tar);
      tar.closeArchiveEntry();
    }
    return ova;
  }

  private static void add(TarArchiveOutputStream tar, String name, byte[] content)
      throws IOException {
    tar.putArchiveEntry(entry(name, content.length));
    tar.write(content);
    tar.closeArchiveEntry();
  }

  private static TarArchiveEntry entry(String name, long size) {
    TarArchiveEntry e = new TarArchiveEntry(name);
    e.setSize(size);
    e.setMode(0644);
    e.setModTime(0);
    return e;
  }

  private static String sha256(Path file) throws IOException {
    MessageDigest digest = Digest.newSha256();
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  static String descriptor(
      ApplianceMetadata metadata, String name, String vmdkName, long vmdkSize, long capacity) {
    String n = Xml.escape(name);
    return """
                <?xml version="1.0" encoding="UTF-8"?>
                <Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1"
                          xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1"
                          xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData"
                          xmlns:vssd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData"
                          xmlns:vmw="http://www.vmware.com/schema/ovf">
                  <References>
                    <File ovf:id="file1" ovf:href="%s" ovf:size="%d"/>
                  </References>
                  <DiskSection>
                    <Info>Virtual disks</Info>
                    <Disk ovf:diskId="vmdisk1" ovf:fileRef="file1" ovf:capacity="%d" ovf:capacityAllocationUnits="byte"
                          ovf:format="http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized"/>
                  </DiskSection>
                  <NetworkSection>
                    <Info>Logical networks</Info>
                    <Network ovf:name="nat">
                      <Description>The appliance's network (NAT or bridged)</Description>
                    </Network>
                %s  </NetworkSection>
                  <VirtualSystem ovf:id="%s">
                    <Info>appliance %s %s</Info>
                    <Name>%s</Name>
                    <OperatingSystemSection ovf:id="96">
                      <Info>Guest operating system</Info>
                      <Description>Debian GNU/Linux (64-bit)</Description>
                    </OperatingSystemSection>
                    <VirtualHardwareSection>
                      <Info>Virtual hardware</Info>
                      <System>
                        <vssd:ElementName>Virtual Hardware Family</vssd:ElementName>
                        <vssd:InstanceID>0</vssd:InstanceID>
                        <vssd:VirtualSystemIdentifier>%s</vssd:VirtualSystemIdentifier>
                        <vssd:VirtualSystemType>vmx-14</vssd:VirtualSystemType>
                      </System>
                      <Item>
                        <rasd:AllocationUnits>hertz * 10^6</rasd:AllocationUnits>
                        <rasd:Description>Number of virtual CPUs</rasd:Description>
                        <rasd:ElementName>%d virtual CPU(s)</rasd:ElementName>
                        <rasd:InstanceID>1</rasd:InstanceID>
                        <rasd:ResourceType>3</rasd:ResourceType>
                        <rasd:VirtualQuantity>%d</rasd:VirtualQuantity>
                      </Item>
                      <Item>
                        <rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits>
                        <rasd:Description>Memory size</rasd:Description>
                        <rasd:ElementName>%d MB of memory</rasd:ElementName>
                        <rasd:InstanceID>2</rasd:InstanceID>
                        <rasd:ResourceType>4</rasd:ResourceType>
                        <rasd:VirtualQuantity>%d</rasd:VirtualQuantity>
                      </Item>
                      <Item>
                        <rasd:Address>0</rasd:Address>
                        <rasd:Description>SATA controller</rasd:Description>
                        <rasd:ElementName>sataController0</rasd:ElementName>
                        <rasd:InstanceID>3</rasd:InstanceID>
                        <rasd:ResourceSubType>vmware.sata.ahci</rasd:ResourceSubType>
                        <rasd:ResourceType>20</rasd:ResourceType>
                      </Item>
                      <Item>
                        <rasd:AddressOnParent>0</rasd:AddressOnParent>
                        <rasd:ElementName>disk1</rasd:ElementName>
                        <rasd:HostResource>ovf:/disk/vmdisk1</rasd:HostResource>
                        <rasd:InstanceID>4</rasd:InstanceID>
                        <rasd:Parent>3</rasd:Parent>
                        <rasd:ResourceType>17</rasd:ResourceType>
                      </Item>
                      <Item>
                        <rasd:AddressOnParent>0</rasd:AddressOnParent>
                        <rasd:AutomaticAllocation>true</rasd:AutomaticAllocation>
                        <rasd:Connection>nat</rasd:Connection>
                        <rasd:ElementName>ethernet0</rasd:ElementName>
                        <rasd:InstanceID>5</rasd:InstanceID>
                        <rasd:ResourceSubType>VmxNet3</rasd:ResourceSubType>
                        <rasd:ResourceType>10</rasd:ResourceType>
                      </Item>
                %s      <vmw:Config ovf:required="false" vmw:key="firmware" vmw:value="efi"/>
                    </VirtualHardwareSection>
                  </VirtualSystem>
                </Envelope>
                """
        .formatted(
            Xml.escape(vmdkName),
            vmdkSize,
            capacity,
            captureNetworks(metadata),
            n,
            Xml.escape(metadata.name()),
            Xml.escape(metadata.version()),
            n,
            n,
            metadata.cpus(),
            metadata.cpus(),
            metadata.memoryMiB(),
            metadata.memoryMiB(),
            captureNics(metadata));
  }

  /** A logical network per capture interface, for the mirror port the user connects it to. */
  private static String captureNetworks(ApplianceMetadata metadata) {
    StringBuilder xml = new StringBuilder();
    for (ApplianceMetadata.Network net : metadata.networks()) {
      xml.append(
          """
                <Network ovf:name="%s">
                  <Description>Capture interface (receive only): connect a mirror port</Description>
                </Network>
          """
              .formatted(Xml.escape(net.name())));
    }
    return xml.toString();
  }

  /** A NIC per capture interface, with the MAC the image's network configuration expects. */
  private static String captureNics(ApplianceMetadata metadata) {
    StringBuilder xml = new StringBuilder();
    for (int i = 0; i < metadata.networks().size(); i++) {
      xml.append(
          """
                    <Item>
                      <rasd:Address>%s</rasd:Address>
                      <rasd:AddressOnParent>%d</rasd:AddressOnParent>
                      <rasd:AutomaticAllocation>true</rasd:AutomaticAllocation>
                      <rasd:Connection>%s</rasd:Connection>
                      <rasd:ElementName>ethernet%d</rasd:ElementName>
                      <rasd:InstanceID>%d</rasd:InstanceID>
                      <rasd:ResourceSubType>VmxNet3</rasd:ResourceSubType>
                      <rasd:ResourceType>10</rasd:ResourceType>
                    </Item>
          """
              .formatted(
                  ApplianceMetadata.Network.mac(i),
                  i + 1,
                  Xml.escape(metadata.networks().get(i).name()),
                  i + 1,
                  6 + i));
    }
    return xml.toString();
  }
}
