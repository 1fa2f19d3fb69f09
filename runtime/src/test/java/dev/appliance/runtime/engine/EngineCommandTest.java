package dev.appliance.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.InvalidInputException;
import dev.appliance.runtime.net.PublishedPort;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Engine command lines and selection; booting them is UmlLifecycleTest's and EngineBootTest's job.
 */
class EngineCommandTest {
  private static final List<PublishedPort> PORTS =
      List.of(
          new PublishedPort("127.0.0.1", 18080, 80, "tcp", false),
          new PublishedPort("0.0.0.0", 18443, 443, "tcp", false),
          new PublishedPort("127.0.0.1", 15353, 53, "udp", false));

  private static BootSpec spec() {
    return spec(Path.of("/data/disks/base.ext4"));
  }

  /** An instance of two CPUs with a config disk and a volume, on {@code base}. */
  static BootSpec spec(Path base) {
    return new BootSpec(
        Path.of("/state/i/web"),
        base,
        List.of(Path.of("/state/i/web/config.img"), Path.of("/data/volumes/db/disk.ext4")),
        512,
        2,
        PORTS,
        "quiet",
        new BootSpec.Kernels(Path.of("/k/vmlinuz"), Path.of("/k/initrd"), Path.of("/k/linux.uml")),
        false);
  }

  @Test
  void slirpForwardsEveryPortOnItsAddressAndKeepsTheGuestOffTheHostLoopback() {
    assertEquals(
        "slirp:///disable_host_loopback/tcpfwd=127.0.0.1:18080:10.0.2.15:80,0.0.0.0:18443:10.0.2.15:443"
            + "/udpfwd=127.0.0.1:15353:10.0.2.15:53",
        SlirpNetwork.slirpUrl(PORTS, false));
    assertEquals("slirp:///disable_host_loopback", SlirpNetwork.slirpUrl(List.of(), false));
    assertEquals("slirp://", SlirpNetwork.slirpUrl(List.of(), true), "--allow-host-loopback");
  }

  @Test
  void umlBootsItsOverlayOnTheSharedBaseInSeccompMode() {
    List<String> c =
        new UmlEngine()
            .command(spec(), Path.of("/state/i/web/vde.sock"), new UmlFeatures(true, false));
    assertEquals("/k/linux.uml", c.get(0));
    assertTrue(c.contains("ubd0=/state/i/web/disk.cow,/data/disks/base.ext4"), c.toString());
    assertTrue(c.contains("ubd1=/state/i/web/config.img"));
    assertTrue(c.contains("ubd2=/data/volumes/db/disk.ext4"));
    assertTrue(c.contains("seccomp=on"));
    assertTrue(c.contains("mem=512M"));
    assertTrue(c.contains("vec0:transport=vde,vnl=ptp:///state/i/web/vde.sock"));
    assertTrue(c.contains("quiet"));
    assertTrue(c.contains("pty.legacy_count=0"), "no legacy ptys for udev to coldplug");
    assertTrue(c.contains("initcall_blacklist=raid6_init"), "no RAID-6 benchmark at boot");
    assertTrue(
        !new UmlEngine()
            .command(spec(), Path.of("/s"), new UmlFeatures(false, false))
            .contains("seccomp=on"),
        "a kernel without seccomp mode runs in ptrace mode");
  }

  @Test
  void umlGetsTheImagesCpusOnlyWhenItsKernelHasSmp() {
    assertTrue(
        new UmlEngine()
            .command(spec(), Path.of("/s"), new UmlFeatures(true, true))
            .contains("ncpus=2"));
    assertTrue(
        new UmlEngine()
            .command(spec(), Path.of("/s"), new UmlFeatures(true, false)).stream()
                .noneMatch(a -> a.startsWith("ncpus=")),
        "a kernel without SMP gets no ncpus= (it would pass it on to the guest's init)");
  }

  @Test
  void qemuForwardsPortsAndAttachesDisksInOrder() {
    List<String> c =
        new QemuEngine(EngineKind.TCG)
            .command(
                spec(),
                Path.of("/state/i/web/disk.qcow2"),
                Path.of("/state/i/web/qmp.sock"),
                Path.of("/state/i/web/vde.sock"));
    String line = String.join(" ", c);
    assertTrue(line.contains("-accel tcg"), line);
    assertTrue(
        line.contains("-netdev vde,id=net0,sock=ptp:///state/i/web/vde.sock"),
        "the shared slirp helper: " + line);
    assertTrue(
        line.contains(
            "-sandbox on,obsolete=deny,elevateprivileges=deny,spawn=deny,resourcecontrol=deny"),
        line);
    assertTrue(
        line.indexOf("disk.qcow2") < line.indexOf("config.img")
            && line.indexOf("config.img") < line.indexOf("db/disk.ext4"),
        line);
    assertTrue(line.contains("-append root=/dev/vda rw console=ttyS0 quiet"), line);
    // Under TCG an x86-64-v2 CPU (SSSE3 for Hyperscan), not the costlier "max"; KVM passes the
    // host's through.
    assertTrue(line.contains("-cpu qemu64,+ssse3,+sse4.1,+sse4.2,+popcnt "), line);
    String kvm =
        String.join(
            " ",
            new QemuEngine(EngineKind.KVM)
                .command(spec(), Path.of("/o"), Path.of("/q"), Path.of("/v")));
    assertTrue(kvm.contains("-accel kvm") && kvm.contains("-cpu host "), kvm);
  }

  @Test
  void captureInterfacesFollowTheManagementNicWithTheirFixedMacs() {
    BootSpec plain = spec();
    BootSpec sensor =
        new BootSpec(
            plain.workDir(),
            plain.baseDisk(),
            plain.extraDisks(),
            plain.memoryMiB(),
            plain.cpus(),
            plain.ports(),
            plain.kernelCmdline(),
            plain.kernels(),
            false,
            List.of(
                new BootSpec.Nic(
                    "capture", "02:a9:70:00:00:01", Path.of("/state/i/web/net-capture.sock"))));
    List<String> uml =
        new UmlEngine()
            .command(sensor, Path.of("/state/i/web/vde.sock"), new UmlFeatures(true, false));
    int management = uml.indexOf("vec0:transport=vde,vnl=ptp:///state/i/web/vde.sock");
    int capture =
        uml.indexOf(
            "vec1:transport=vde,vnl=ptp:///state/i/web/net-capture.sock,mac=02:a9:70:00:00:01");
    assertTrue(management >= 0 && capture > management, uml.toString());
    String qemu =
        String.join(
            " ",
            new QemuEngine(EngineKind.TCG)
                .command(sensor, Path.of("/o"), Path.of("/q"), Path.of("/state/i/web/vde.sock")));
    assertTrue(
        qemu.contains(
            "-netdev vde,id=net1,sock=ptp:///state/i/web/net-capture.sock -device"
                + " virtio-net-pci,netdev=net1,mac=02:a9:70:00:00:01"),
        qemu);
    assertTrue(qemu.indexOf("netdev=net0") < qemu.indexOf("netdev=net1"), qemu);
    assertTrue(
        new UmlEngine()
            .command(plain, Path.of("/s"), new UmlFeatures(true, false)).stream()
                .noneMatch(a -> a.startsWith("vec1")),
        "an image without networks gets only its management NIC");
  }

  @Test
  void kvmInternalErrorIsFatal() {
    QemuEngine kvm = new QemuEngine(EngineKind.KVM);
    assertTrue(kvm.fatalError("KVM internal error. Suberror: 1").isPresent());
    assertTrue(kvm.fatalError("[    0.000000] Linux version 6.12").isEmpty());
  }

  @Test
  void autoSkipsKvmWithItsReasonThenUmlThenTcg() {
    AtomicInteger probes = new AtomicInteger();
    EngineSelector selector =
        new EngineSelector(
            () -> {
              probes.incrementAndGet();
              return Optional.of("guests die with KVM internal error");
            });
    EngineSelector.Plan plan = selector.plan("auto", Optional.empty());
    assertEquals(
        List.of(EngineKind.UML, EngineKind.TCG),
        plan.candidates().stream().map(c -> c.engine().kind()).toList());
    assertEquals(List.of("kvm: guests die with KVM internal error"), plan.skipped());
    assertEquals(1, probes.get());
  }

  @Test
  void autoTriesKvmFirstWhereItRunsAndKeepsAnInstancesDiskFormat() {
    EngineSelector selector = new EngineSelector(Optional::empty);
    assertEquals(
        List.of(EngineKind.KVM, EngineKind.UML, EngineKind.TCG),
        selector.plan("auto", Optional.empty()).candidates().stream()
            .map(c -> c.engine().kind())
            .toList());
    assertEquals(
        List.of(EngineKind.KVM, EngineKind.TCG),
        selector.plan("auto", Optional.of(EngineKind.DiskFormat.QCOW2)).candidates().stream()
            .map(c -> c.engine().kind())
            .toList());
    assertThrows(
        InvalidInputException.class,
        () -> selector.plan("uml", Optional.of(EngineKind.DiskFormat.QCOW2)));
    assertThrows(InvalidInputException.class, () -> EngineSelector.validate("vmware"));
  }
}
