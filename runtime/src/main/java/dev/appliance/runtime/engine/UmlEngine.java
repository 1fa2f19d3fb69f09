package dev.appliance.runtime.engine;

import dev.appliance.oci.KernelArguments;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * User-Mode Linux: the image's own UML kernel as an ordinary host process, in seccomp mode when the
 * kernel has it (several times faster than ptrace mode), rootless. The kernel is a program chosen
 * by the image: it runs (even for its {@code --help} probe, see {@link UmlFeatures}) in the
 * instance's sandbox, seeing its instance directory, disks, kernel directory and no host network.
 * Network: UML's vector driver joined through a point-to-point VDE socket to the {@link
 * SlirpNetwork} helper (slirp options inside UML's own argument do not parse). A uniprocessor guest
 * runs on one host CPU ({@link CpuPin}).
 */
public final class UmlEngine implements Engine {
  /** UML has ubd0..ubd7; ubd0 is the root disk. */
  public static final int MAX_EXTRA_DISKS = 7;

  @Override
  public EngineKind kind() {
    return EngineKind.UML;
  }

  @Override
  public Optional<String> unavailable(BootSpec spec) {
    if (spec.kernels().umlKernel() == null) {
      return Optional.of("the image has no UML kernel");
    }
    Optional<String> network = SlirpNetwork.unavailable();
    if (network.isPresent()) {
      return network;
    }
    if (spec.extraDisks().size() > MAX_EXTRA_DISKS) {
      return Optional.of(
          "UML attaches at most " + MAX_EXTRA_DISKS + " disks besides the root disk");
    }
    return Optional.empty();
  }

  @Override
  public EngineRun start(BootSpec spec, ProcessStarter starter) throws IOException {
    Process plug = SlirpNetwork.start(spec, starter);
    try {
      Path kernel = spec.kernels().umlKernel().toAbsolutePath();
      // the kernel's directory holds its loader and libraries (see UmlKernel)
      Confinement confinement = spec.engineConfinement(List.of(kernel.getParent()), List.of());
      UmlFeatures features = UmlFeatures.of(kernel, starter, confinement, spec.workDir());
      List<String> command = new ArrayList<>();
      if (!smp(spec, features)) {
        CpuPin.choose(Path.of("/proc"), kernel.getFileName().toString())
            .ifPresent(pin -> command.addAll(pin.prefix()));
      }
      command.addAll(command(spec, SlirpNetwork.socket(spec), features));
      Process uml = starter.startPiped(command, confinement);
      Path mconsole = spec.workDir().resolve("uml/mconsole");
      return new EngineRun(uml, List.of(plug), () -> MConsole.send(mconsole, "cad"));
    } catch (IOException | RuntimeException e) {
      plug.destroyForcibly();
      throw e;
    }
  }

  /**
   * Whether the guest gets several CPUs: its kernel has SMP and the spec asks for more than one.
   */
  private static boolean smp(BootSpec spec, UmlFeatures features) {
    return features.smp() && spec.cpus() > 1;
  }

  List<String> command(BootSpec spec, Path socket, UmlFeatures features) {
    Path overlay = spec.overlay(EngineKind.DiskFormat.UML_COW);
    List<String> c =
        new ArrayList<>(
            List.of(
                spec.kernels().umlKernel().toString(),
                "mem=" + spec.memoryMiB() + "M",
                "root=/dev/ubda",
                "rw",
                "ubd0=" + overlay.toAbsolutePath() + "," + spec.baseDisk().toAbsolutePath()));
    if (features.seccomp()) {
      c.add("seccomp=on");
    }
    if (smp(spec, features)) {
      c.add("ncpus=" + spec.cpus()); // one host thread per virtual CPU
    }
    for (int i = 0; i < spec.extraDisks().size(); i++) {
      c.add("ubd" + (i + 1) + "=" + spec.extraDisks().get(i).toAbsolutePath());
    }
    c.addAll(List.of("vec0:transport=vde,vnl=ptp://" + socket.toAbsolutePath()));
    for (int i = 0; i < spec.nics().size(); i++) {
      BootSpec.Nic nic = spec.nics().get(i);
      c.add(
          "vec"
              + (i + 1)
              + ":transport=vde,vnl=ptp://"
              + nic.socket().toAbsolutePath()
              + ",mac="
              + nic.mac());
    }
    c.addAll(
        List.of(
            "umid=uml",
            "uml_dir=" + spec.workDir().toAbsolutePath(),
            // console to stdout (the supervisor's pipe); no other lines: "none" registers no
            // device (where "null" registered 79 ttys that udev's coldplug then handled)
            "con0=null,fd:1",
            "con=none",
            "ssl=none",
            "noreboot",
            // Debian's UML kernel registers 256 legacy BSD pty pairs that nothing uses; udev's
            // coldplug then handled 697 devices, 2.9 s of CPU in a 12 s LAMP boot (bench/README.md)
            "pty.legacy_count=0",
            // Its RAID-6 library times five algorithms for 16 jiffies each at boot: 0.85 s at
            // UML's 100 Hz, of a 0.95 s kernel start, for md RAID-6 and btrfs RAID-5/6, which a
            // guest booting from ext4 never uses; skipped, those stay unusable (docs/engines.md).
            "initcall_blacklist=raid6_init"));
    if (!spec.kernelCmdline().isEmpty()) {
      c.addAll(
          KernelArguments.split(
              spec.kernelCmdline(), "kernel command line")); // guest-only, checked again here
    }
    return c;
  }
}
