package dev.appliance.runtime.instance;

import dev.appliance.oci.ApplianceMetadata;
import dev.appliance.oci.DataFormat;
import dev.appliance.runtime.net.PublishedPort;
import java.nio.file.Path;
import java.util.List;

/**
 * How an instance was created; fixed for its life and read by its supervisor on every start. Holds
 * no secret: secrets live only in the instance's config disk.
 *
 * @param engine auto, kvm, uml or tcg as requested
 * @param baseDisk the image's root disk (a hard link in the instance directory when possible)
 * @param qemuKernel host path of the image's QEMU kernel, or null
 * @param qemuInitrd host path of its initramfs, or null
 * @param umlKernel host path of the runnable UML kernel, or null
 * @param extraDisks raw disks after the root disk: the config disk, then volumes
 * @param unconfined engines run without a sandbox (--no-sandbox, or a local build on a host that
 *     cannot sandbox)
 * @param allowHostLoopback the guest may reach the host's 127.0.0.1 (--allow-host-loopback)
 * @param networks the image's extra network interfaces, in order (empty in instances made before
 *     they existed)
 * @param captureFrom what feeds the first capture interface ({@code --capture-from}, as {@link
 *     dev.appliance.runtime.capture.CaptureSource#toString()}), or null
 * @param data the image's data version and upgrade hook; null for data version 0
 * @param dataUpgradeFrom set while the guest has to run the image's upgrade hook from this data
 *     version (until a boot became healthy); null otherwise
 * @param given names of the parameters and secrets the user gave (the rest of the config disk is
 *     the image's defaults and generated secrets), sorted; null in instances created before it was
 *     recorded
 */
public record InstanceSpec(
    String name,
    String image,
    String imageDigest,
    String engine,
    long memoryMiB,
    int cpus,
    List<PublishedPort> ports,
    List<VolumeMount> volumes,
    ApplianceMetadata.HealthCheck health,
    String kernelCmdline,
    String baseDisk,
    String qemuKernel,
    String qemuInitrd,
    String umlKernel,
    List<String> extraDisks,
    String created,
    boolean unconfined,
    boolean allowHostLoopback,
    List<ApplianceMetadata.Network> networks,
    String captureFrom,
    DataFormat data,
    Integer dataUpgradeFrom,
    List<String> given) {

  public InstanceSpec {
    given = given == null ? null : List.copyOf(given);
    networks = networks == null ? List.of() : List.copyOf(networks);
    ports = List.copyOf(ports);
    volumes = List.copyOf(volumes);
    extraDisks = List.copyOf(extraDisks);
  }

  /**
   * The kernel command line of the next boot: the image's, plus the pending data upgrade for the
   * guest's appliance-data-upgrade (whole numbers and a checked path: nothing to quote).
   */
  public String bootCmdline() {
    if (dataUpgradeFrom == null || data == null || data.upgrade() == null) {
      return kernelCmdline;
    }
    return kernelCmdline
        + " appliance.data-from="
        + dataUpgradeFrom
        + " appliance.data-to="
        + data.version()
        + " appliance.data-hook="
        + data.upgrade();
  }

  /** This spec with {@code from} as the pending data upgrade (null: none). */
  InstanceSpec withDataUpgradeFrom(Integer from) {
    return new InstanceSpec(
        name,
        image,
        imageDigest,
        engine,
        memoryMiB,
        cpus,
        ports,
        volumes,
        health,
        kernelCmdline,
        baseDisk,
        qemuKernel,
        qemuInitrd,
        umlKernel,
        extraDisks,
        created,
        unconfined,
        allowHostLoopback,
        networks,
        captureFrom,
        data,
        from,
        given);
  }

  /**
   * This instance on another image: the image's root disk, kernels, health check, kernel command
   * line and data format; name, engine, resources, ports and volumes unchanged.
   *
   * @param given the parameters and secrets given by the user that the new image still takes
   */
  InstanceSpec withImage(
      BootImage image, Path baseDisk, boolean unconfined, Integer from, List<String> given) {
    var k = image.kernels();
    return new InstanceSpec(
        name,
        image.reference(),
        image.digest(),
        engine,
        memoryMiB,
        cpus,
        ports,
        volumes,
        image.metadata().health(),
        ConfigDisk.announce(image.metadata().kernelCmdline()),
        baseDisk.toString(),
        absolute(k.qemuKernel()),
        absolute(k.qemuInitrd()),
        absolute(k.umlKernel()),
        extraDisks,
        created,
        unconfined,
        allowHostLoopback,
        image.metadata().networks(),
        // The capture feed follows only to an image that still has a capture interface.
        image.metadata().networks().stream()
                .anyMatch(n -> n.role().equals(ApplianceMetadata.Network.CAPTURE))
            ? captureFrom
            : null,
        image.data(),
        from,
        given);
  }

  static String absolute(Path path) {
    return path == null ? null : path.toAbsolutePath().toString();
  }

  /** A named volume attached to this instance. */
  public record VolumeMount(String volume, String guestPath, String uuid) {}
}
