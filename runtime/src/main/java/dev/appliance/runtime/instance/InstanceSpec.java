package dev.appliance.runtime.instance;

import dev.appliance.oci.ApplianceMetadata;
import dev.appliance.runtime.net.PublishedPort;
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
    String captureFrom) {

  public InstanceSpec {
    networks = networks == null ? List.of() : List.copyOf(networks);
    ports = List.copyOf(ports);
    volumes = List.copyOf(volumes);
    extraDisks = List.copyOf(extraDisks);
  }

  /** A named volume attached to this instance. */
  public record VolumeMount(String volume, String guestPath, String uuid) {}
}
