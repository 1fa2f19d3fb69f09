package dev.appliance.runtime.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KvmProbeTest {
  private static final Path OVMF = Path.of("/usr/share/ovmf/OVMF.fd");

  @TempDir Path dir;

  @Test
  void missingDeviceIsNotUsableAndNamesTheDevice() {
    Path device = dir.resolve("kvm");
    KvmProbe.Result result =
        new KvmProbe(device, "qemu-system-x86_64", List.of(OVMF), Duration.ofSeconds(5)).probe();
    assertFalse(result.usable());
    assertTrue(result.reason().contains(device.toString()), result.reason());
  }

  @Test
  void missingFirmwareIsNotUsableAndNamesThePackage() throws IOException {
    KvmProbe.Finding finding =
        new KvmProbe(
                openableDevice(),
                "qemu-system-x86_64",
                List.of(dir.resolve("OVMF.fd")),
                Duration.ofSeconds(5))
            .examine();
    assertFalse(finding.result().usable());
    assertTrue(finding.result().reason().contains("firmware"), finding.result().reason());
    assertTrue(finding.fix().endsWith("install -y --no-install-recommends ovmf"), finding.fix());
  }

  @Test
  void missingQemuIsNotUsable() throws IOException {
    KvmProbe.Finding finding =
        new KvmProbe(
                openableDevice(),
                dir.resolve("no-qemu").toString(),
                List.of(firmware()),
                Duration.ofSeconds(5))
            .examine();
    assertFalse(finding.result().usable());
    assertTrue(finding.result().reason().contains("no-qemu"), finding.result().reason());
    assertTrue(finding.fix().endsWith("qemu-system-x86"), finding.fix());
  }

  /**
   * QEMU after a KVM internal error prints the error and then stays alive, paused. A script stands
   * in for it so this runs on hosts where KVM works too; the real thing is exercised by {@link
   * #realProbeOnThisHostFinishesAndLeavesNoQemuBehind()}.
   */
  @Test
  void emulationFailureIsReportedWithoutWaitingForQemuToExit() throws IOException {
    Path qemu =
        script(
            "echo 'KVM internal error. Suberror: 1' >&2; echo 'emulation failure' >&2; exec sleep 600");
    Set<Long> before = liveChildren();
    long start = System.nanoTime();
    KvmProbe.Result result =
        new KvmProbe(openableDevice(), qemu.toString(), List.of(firmware()), Duration.ofSeconds(60))
            .probe();
    long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
    assertFalse(result.usable());
    assertTrue(result.reason().contains("KVM internal error"), result.reason());
    assertTrue(seconds < 10, "took " + seconds + " s");
    assertEquals(Set.of(), startedSince(before), "the stand-in QEMU was left running");
  }

  @Test
  void silentGuestTimesOutAndIsKilled() throws IOException {
    Path qemu = script("exec sleep 600");
    Set<Long> before = liveChildren();
    KvmProbe.Result result =
        new KvmProbe(openableDevice(), qemu.toString(), List.of(firmware()), Duration.ofSeconds(2))
            .probe();
    assertFalse(result.usable());
    assertTrue(result.reason().contains("no progress"), result.reason());
    assertEquals(Set.of(), startedSince(before), "the stand-in QEMU was left running");
  }

  @Test
  void firmwareReachingItsBootManagerMeansUsable() throws IOException {
    Path qemu =
        script(
            "printf '\\033[2J\\033[01;01HBdsDxe: loading Boot0001 \"EFI Internal Shell\"\\r\\n'; exec sleep 600");
    KvmProbe.Result result =
        new KvmProbe(openableDevice(), qemu.toString(), List.of(firmware()), Duration.ofSeconds(30))
            .probe();
    assertTrue(result.usable(), result.reason());
  }

  @Test
  void qemuExitingEarlyReportsItsLastWords() throws IOException {
    Path qemu =
        script("echo 'qemu-system-x86_64: -accel kvm: invalid accelerator kvm' >&2; exit 1");
    KvmProbe.Result result =
        new KvmProbe(openableDevice(), qemu.toString(), List.of(firmware()), Duration.ofSeconds(30))
            .probe();
    assertFalse(result.usable());
    assertTrue(result.reason().contains("invalid accelerator kvm"), result.reason());
  }

  /** The real /dev/kvm, QEMU and OVMF of this host, whatever its verdict. */
  @Test
  void realProbeOnThisHostFinishesAndLeavesNoQemuBehind() {
    Set<Long> before = liveChildren();
    long start = System.nanoTime();
    KvmProbe.Result result = new KvmProbe().probe();
    long seconds = Duration.ofNanos(System.nanoTime() - start).toSeconds();
    System.err.println("KvmProbe on this host after " + seconds + " s: " + result);
    assertFalse(result.reason().isBlank());
    assertTrue(seconds < 40, "took " + seconds + " s");
    assertEquals(Set.of(), startedSince(before), "QEMU was left running");
  }

  /**
   * The live children of this JVM: other test classes in the same JVM may own some (a registry they
   * keep for the run), so a probe is judged by the children it added.
   */
  private static Set<Long> liveChildren() {
    return ProcessHandle.current()
        .children()
        .filter(ProcessHandle::isAlive)
        .map(ProcessHandle::pid)
        .collect(Collectors.toSet());
  }

  /** Children alive now that were not before, as "pid command" for the failure message. */
  private static Set<String> startedSince(Set<Long> before) {
    return ProcessHandle.current()
        .children()
        .filter(ProcessHandle::isAlive)
        .filter(p -> !before.contains(p.pid()))
        .map(p -> p.pid() + " " + p.info().commandLine().orElse("?"))
        .collect(Collectors.toSet());
  }

  private Path openableDevice() throws IOException {
    return Files.writeString(dir.resolve("kvm"), "");
  }

  private Path firmware() throws IOException {
    return Files.writeString(dir.resolve("OVMF.fd"), "");
  }

  private Path script(String body) throws IOException {
    Path script = dir.resolve("fake-qemu");
    Files.writeString(script, "#!/bin/sh\n" + body + "\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    return script;
  }
}
