package dev.appliance.runtime.engine;

import dev.appliance.runtime.net.PublishedPort;
import java.nio.file.Path;
import java.util.List;

/**
 * Everything an engine needs for one boot, as plain files: engines know nothing about images,
 * stores or instances.
 *
 * @param workDir the instance directory: disk overlay, sockets, logs
 * @param baseDisk the image's ext4 root disk; never written (overlays take the writes)
 * @param extraDisks raw disks attached after the root disk, in order (config disk, volumes)
 * @param memoryMiB guest memory
 * @param cpus virtual CPUs (QEMU; UML runs one)
 * @param ports host ports to forward into the guest
 * @param kernelCmdline the image's extra kernel arguments
 * @param kernels kernels from the image; a path is null when the image has none
 * @param allowHostLoopback whether the guest may reach the host's 127.0.0.1 through the network's
 *     gateway (off by default: see {@link SlirpNetwork})
 * @param nics the image's extra network interfaces, after the management NIC, each joined to its
 *     {@link CapturePort}
 */
public record BootSpec(
    Path workDir,
    Path baseDisk,
    List<Path> extraDisks,
    long memoryMiB,
    int cpus,
    List<PublishedPort> ports,
    String kernelCmdline,
    Kernels kernels,
    boolean allowHostLoopback,
    List<Nic> nics) {

  /** The guest's address on the user-mode network (slirp's first DHCP lease). */
  public static final String GUEST_ADDRESS = "10.0.2.15";

  public BootSpec {
    extraDisks = List.copyOf(extraDisks);
    ports = List.copyOf(ports);
    nics = List.copyOf(nics);
    kernelCmdline = kernelCmdline == null ? "" : kernelCmdline.strip();
  }

  /** A boot with only the management NIC. */
  public BootSpec(
      Path workDir,
      Path baseDisk,
      List<Path> extraDisks,
      long memoryMiB,
      int cpus,
      List<PublishedPort> ports,
      String kernelCmdline,
      Kernels kernels,
      boolean allowHostLoopback) {
    this(
        workDir,
        baseDisk,
        extraDisks,
        memoryMiB,
        cpus,
        ports,
        kernelCmdline,
        kernels,
        allowHostLoopback,
        List.of());
  }

  /**
   * An extra network interface of the guest.
   *
   * @param name the image's name for it (the guest names the interface so)
   * @param mac its MAC address, by which the guest's configuration finds it
   * @param socket the point-to-point VDE socket its {@link CapturePort} created
   */
  public record Nic(String name, String mac, Path socket) {}

  /**
   * @param qemuKernel distribution kernel for QEMU
   * @param qemuInitrd its initramfs
   * @param umlKernel the UML kernel, already made runnable on this host (see {@link UmlKernel})
   */
  public record Kernels(Path qemuKernel, Path qemuInitrd, Path umlKernel) {}

  /**
   * An engine's sandbox: the instance directory and its extra disks writable, the shared base disk
   * and {@code readOnly} (kernel files) read-only, no host network.
   */
  public Confinement engineConfinement(List<Path> readOnly, List<Path> devices) {
    List<Path> writable = new java.util.ArrayList<>(List.of(workDir));
    writable.addAll(extraDisks);
    List<Path> read = new java.util.ArrayList<>(List.of(baseDisk));
    read.addAll(readOnly);
    return Confinement.engine(writable, read, devices);
  }

  /** The instance's writable overlay for {@code format}. */
  public Path overlay(EngineKind.DiskFormat format) {
    return workDir.resolve(format.fileName());
  }
}
