package dev.appliance.runtime.host;

import dev.appliance.common.HostTools;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributes;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Answers "does a KVM guest really run on this host?".
 *
 * <p>An openable /dev/kvm is not enough: on nested hosts KVM_CREATE_VM succeeds but guests die with
 * "KVM internal error. Suberror: 1 ... emulation failure", after which QEMU stays alive, paused,
 * until killed. So the probe boots OVMF (UEFI firmware: 64-bit mode, paging, FPU - enough to trip
 * the failure that real guests hit) under {@code -accel kvm} with no disk, watches the serial
 * console and QEMU's stderr, and always kills QEMU before returning.
 */
public final class KvmProbe {
  /** Printed by OVMF's boot manager once the firmware has run to completion. */
  private static final List<String> SUCCESS_MARKERS = List.of("BdsDxe:", "UEFI Interactive Shell");

  private static final List<String> FAILURE_MARKERS =
      List.of(
          "KVM internal error",
          "emulation failure",
          "failed to set MSR",
          "Could not access KVM kernel module");
  private static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(30);
  private static final int TAIL_LINES = 6;
  private static final String NO_FIX =
      "none on this host: use one with working (nested) KVM; meanwhile the automatic engine choice picks uml or tcg";

  /**
   * The verdict.
   *
   * @param usable true only when a guest ran under KVM on this host
   * @param reason one sentence a user understands: why not, or what was checked
   */
  public record Result(boolean usable, String reason) {}

  /** A verdict plus the step that would make KVM usable, for {@code appliance doctor}. */
  record Finding(Result result, String fix) {
    static Finding unusable(String reason, String fix) {
      return new Finding(new Result(false, reason), fix);
    }
  }

  private final Path device;
  private final String qemu;
  private final List<Path> firmwareCandidates;
  private final Duration timeout;

  /** The probe for this host: /dev/kvm, qemu-system-x86_64 from PATH, Debian's OVMF. */
  public KvmProbe() {
    this(
        Path.of("/dev/kvm"),
        "qemu-system-x86_64",
        List.of(Path.of("/usr/share/ovmf/OVMF.fd"), Path.of("/usr/share/qemu/OVMF.fd")),
        DEFAULT_TIMEOUT);
  }

  KvmProbe(Path device, String qemu, List<Path> firmwareCandidates, Duration timeout) {
    this.device = device;
    this.qemu = qemu;
    this.firmwareCandidates = List.copyOf(firmwareCandidates);
    this.timeout = timeout;
  }

  /** Runs the checks; takes well under a second when KVM fails, a few seconds when it works. */
  public Result probe() {
    return examine().result();
  }

  Finding examine() {
    if (!Files.exists(device)) {
      return Finding.unusable(
          device
              + " does not exist: the CPU's virtualization extensions are off"
              + " or the kvm module is not loaded",
          "enable VT-x/AMD-V in the firmware, then: "
              + HostTools.asRoot("modprobe kvm_intel")
              + " (or kvm_amd)");
    }
    Optional<Finding> openProblem = openProblem();
    if (openProblem.isPresent()) {
      return openProblem.get();
    }
    Optional<Path> firmware = firmwareCandidates.stream().filter(Files::isRegularFile).findFirst();
    if (firmware.isEmpty()) {
      return Finding.unusable(
          "cannot verify KVM: UEFI firmware " + firmwareCandidates.get(0) + " is missing",
          HostTools.aptInstall("ovmf"));
    }
    Process process;
    try {
      process =
          new ProcessBuilder(
                  qemu,
                  "-accel",
                  "kvm",
                  "-nodefaults",
                  "-display",
                  "none",
                  "-no-reboot",
                  "-monitor",
                  "none",
                  "-m",
                  "128",
                  "-bios",
                  firmware.get().toString(),
                  "-serial",
                  "stdio")
              .redirectErrorStream(true)
              .start();
    } catch (IOException e) {
      return Finding.unusable(
          "cannot start " + qemu + ": " + e.getMessage(), HostTools.aptInstall("qemu-system-x86"));
    }
    Result result = watchWithTimeout(process);
    return result.usable() ? new Finding(result, null) : new Finding(result, NO_FIX);
  }

  private Optional<Finding> openProblem() {
    try (FileChannel ignored =
        FileChannel.open(device, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
      return Optional.empty();
    } catch (AccessDeniedException e) {
      return Optional.of(Finding.unusable("no permission to open " + device, permissionFix()));
    } catch (IOException | RuntimeException e) {
      return Optional.of(
          Finding.unusable(
              "cannot open " + device + ": " + e.getMessage(),
              "check that " + device + " is the KVM device (ls -l " + device + ")"));
    }
  }

  /** Membership of the device's group; a root-only device needs a group first. */
  private String permissionFix() {
    String user = System.getProperty("user.name");
    String group;
    try {
      group = Files.readAttributes(device, PosixFileAttributes.class).group().getName();
    } catch (IOException | UnsupportedOperationException e) {
      group = "kvm";
    }
    if (!group.equals("root")) {
      return HostTools.asRoot("usermod -aG " + group + " " + user) + ", then log in again";
    }
    return HostTools.asRoot("groupadd -f kvm")
        + " && "
        + HostTools.asRoot("chgrp kvm " + device)
        + " && "
        + HostTools.asRoot("chmod 0660 " + device)
        + " && "
        + HostTools.asRoot("usermod -aG kvm " + user)
        + ", then log in again";
  }

  private Result watchWithTimeout(Process process) {
    try {
      process.getOutputStream().close();
      // A thread of its own: reading blocks until QEMU is killed, which would
      // starve a shared pool.
      CompletableFuture<Result> verdict = new CompletableFuture<>();
      Thread reader = new Thread(() -> verdict.complete(watch(process)), "kvm-probe-output");
      reader.setDaemon(true);
      reader.start();
      try {
        return verdict.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        return no("a test guest under KVM made no progress in " + timeout.toSeconds() + " s");
      } catch (ExecutionException e) {
        return no("reading QEMU's output failed: " + e.getCause().getMessage());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return no("interrupted while probing KVM");
      }
    } catch (IOException e) {
      return no("cannot talk to " + qemu + ": " + e.getMessage());
    } finally {
      stop(process);
    }
  }

  /** Reads QEMU's merged output until the firmware succeeds, fails, or QEMU exits. */
  private Result watch(Process process) {
    Deque<String> tail = new ArrayDeque<>();
    try (BufferedReader reader =
        new BufferedReader(
            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        Optional<Result> verdict = classify(line);
        if (verdict.isPresent()) {
          return verdict.get();
        }
        remember(tail, line);
      }
    } catch (IOException e) {
      return no("reading QEMU's output failed: " + e.getMessage());
    }
    return no("QEMU exited before a test guest ran under KVM: " + String.join(" | ", tail));
  }

  /** The verdict one line of QEMU output settles, if any. */
  static Optional<Result> classify(String line) {
    for (String marker : FAILURE_MARKERS) {
      if (line.contains(marker)) {
        return Optional.of(
            no(
                "KVM is present but a test guest failed under it (\""
                    + marker
                    + "\", typical of nested virtualization without full support)"));
      }
    }
    for (String marker : SUCCESS_MARKERS) {
      if (line.contains(marker)) {
        return Optional.of(new Result(true, "a test guest ran under KVM"));
      }
    }
    return Optional.empty();
  }

  private static void remember(Deque<String> tail, String line) {
    String clean = line.replaceAll("\u001B\\[[0-9;=?]*[A-Za-z]", "").strip();
    if (clean.isEmpty()) {
      return;
    }
    tail.addLast(clean);
    if (tail.size() > TAIL_LINES) {
      tail.removeFirst();
    }
  }

  /** QEMU stays alive, paused, after a KVM internal error: it has to be killed. */
  private static void stop(Process process) {
    process.descendants().forEach(ProcessHandle::destroyForcibly);
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static Result no(String reason) {
    return new Result(false, reason);
  }
}
