package dev.appliance.runtime.engine;

import dev.appliance.common.HostTools;
import dev.appliance.runtime.disk.HostTool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * QEMU with KVM or with software emulation (TCG): virtio disk and network, direct boot of the
 * image's distribution kernel and initramfs, guest console on standard output. QEMU runs in the
 * instance's sandbox without host network and with its own seccomp filter ({@code -sandbox on});
 * its network is the same {@link SlirpNetwork} helper UML uses, joined with {@code -netdev vde}
 * (QEMU 7.2's {@code -netdev user} cannot keep the guest off the host's loopback).
 */
public final class QemuEngine implements Engine {
  static final String BINARY = "qemu-system-x86_64";

  /**
   * QEMU's own seccomp filter: no obsolete calls, no setuid, no fork/exec, no scheduler or
   * CPU-affinity changes.
   */
  static final String SECCOMP =
      "on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny";

  /**
   * The CPU under TCG: x86-64-v2 (QEMU's baseline model with SSSE3, SSE4.1, SSE4.2 and POPCNT), so
   * that what needs more than Debian's x86-64 baseline (Hyperscan, in snort, needs SSSE3) runs. Not
   * {@code max}: LAMP became healthy 10 % sooner with this model (33.1 s against 36.7 s, three
   * boots each, bench/README.md session 24); emulating AVX and the rest costs more than it gives.
   */
  static final String TCG_CPU = "qemu64,+ssse3,+sse4.1,+sse4.2,+popcnt";

  private static final Path KVM_DEVICE = Path.of("/dev/kvm");

  /** Printed when KVM cannot run the guest; QEMU then stays alive, paused. */
  private static final List<String> FATAL =
      List.of(
          "KVM internal error",
          "emulation failure",
          "failed to set MSR",
          "Could not access KVM kernel module",
          "failed to initialize kvm");

  private final EngineKind kind;

  public QemuEngine(EngineKind kind) {
    if (kind == EngineKind.UML) {
      throw new IllegalArgumentException("QEMU runs kvm or tcg");
    }
    this.kind = kind;
  }

  @Override
  public EngineKind kind() {
    return kind;
  }

  @Override
  public Optional<String> unavailable(BootSpec spec) {
    if (HostTools.find(BINARY).isEmpty()) {
      return Optional.of(BINARY + " is not installed (Debian package qemu-system-x86)");
    }
    if (spec.kernels().qemuKernel() == null || spec.kernels().qemuInitrd() == null) {
      return Optional.of("the image has no kernel and initramfs for QEMU");
    }
    if (kind == EngineKind.KVM && !Files.isWritable(KVM_DEVICE)) {
      return Optional.of("/dev/kvm is missing or not writable");
    }
    return SlirpNetwork.unavailable();
  }

  @Override
  public EngineRun start(BootSpec spec, ProcessStarter starter) throws IOException {
    Path overlay = spec.overlay(kind.diskFormat());
    if (!Files.exists(overlay)) {
      createOverlay(spec.baseDisk(), overlay, spec.workDir());
    }
    Path qmp = spec.workDir().resolve("qmp.sock");
    Files.deleteIfExists(qmp);
    Process plug = SlirpNetwork.start(spec, starter);
    try {
      Confinement confinement =
          spec.engineConfinement(
              List.of(spec.kernels().qemuKernel(), spec.kernels().qemuInitrd()),
              kind == EngineKind.KVM ? List.of(KVM_DEVICE) : List.of());
      Process qemu =
          starter.startPiped(command(spec, overlay, qmp, SlirpNetwork.socket(spec)), confinement);
      return new EngineRun(qemu, List.of(plug), () -> Qmp.powerDown(qmp));
    } catch (IOException | RuntimeException e) {
      plug.destroyForcibly();
      throw e;
    }
  }

  /** The instance's copy-on-write disk over the image's shared raw base. */
  static void createOverlay(Path base, Path overlay, Path workDir) {
    HostTool.run(
        List.of(
            "qemu-img",
            "create",
            "-q",
            "-f",
            "qcow2",
            "-F",
            "raw",
            "-b",
            base.toAbsolutePath().toString(),
            overlay.toAbsolutePath().toString()),
        workDir,
        HostTool.Options.SHORT);
  }

  List<String> command(BootSpec spec, Path overlay, Path qmp, Path networkSocket) {
    List<String> c =
        new ArrayList<>(
            List.of(
                BINARY,
                "-accel",
                kind == EngineKind.KVM ? "kvm" : "tcg",
                "-machine",
                "q35",
                "-cpu",
                kind == EngineKind.KVM ? "host" : TCG_CPU,
                "-m",
                Long.toString(spec.memoryMiB()),
                "-smp",
                Integer.toString(spec.cpus()),
                "-nodefaults",
                "-no-user-config",
                "-display",
                "none",
                "-no-reboot",
                "-sandbox",
                SECCOMP,
                "-serial",
                "stdio",
                "-kernel",
                spec.kernels().qemuKernel().toString(),
                "-initrd",
                spec.kernels().qemuInitrd().toString(),
                "-append",
                ("root=/dev/vda rw console=ttyS0 " + spec.kernelCmdline()).strip(),
                "-drive",
                // The base is read-only and shared by every instance of the image; UML locks it
                // whole (ubd's host lock), which QEMU's own lock check takes for a writer.
                "file="
                    + escape(overlay)
                    + ",if=virtio,format=qcow2,discard=unmap,backing.file.locking=off"));
    for (Path disk : spec.extraDisks()) {
      c.addAll(List.of("-drive", "file=" + escape(disk) + ",if=virtio,format=raw"));
    }
    c.addAll(
        List.of(
            "-netdev",
            "vde,id=net0,sock=ptp://" + escape(networkSocket),
            "-device",
            "virtio-net-pci,netdev=net0"));
    for (int i = 0; i < spec.nics().size(); i++) {
      BootSpec.Nic nic = spec.nics().get(i);
      String id = "net" + (i + 1);
      c.addAll(
          List.of(
              "-netdev",
              "vde,id=" + id + ",sock=ptp://" + escape(nic.socket()),
              "-device",
              "virtio-net-pci,netdev=" + id + ",mac=" + nic.mac()));
    }
    c.addAll(List.of("-qmp", "unix:" + escape(qmp) + ",server=on,wait=off"));
    return c;
  }

  /** QEMU option values escape commas by doubling them. */
  private static String escape(Path path) {
    return path.toAbsolutePath().toString().replace(",", ",,");
  }

  @Override
  public Optional<String> fatalError(String consoleLine) {
    return FATAL.stream()
        .filter(consoleLine::contains)
        .findFirst()
        .map(marker -> "QEMU reported \"" + consoleLine.strip() + "\"");
  }
}
