package dev.appliance.e2e.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * An exported disk booted as an ops team boots it on a bare hypervisor: plain {@code
 * qemu-system-x86_64} on TCG with Debian's OVMF (its own copy of the UEFI variables), nothing of
 * the appliance runtime. One virtio disk, optionally the export's first-boot config disk, QEMU's
 * user network with the guest's port 80 forwarded to a 127.0.0.1 port (the guest reaches the host's
 * 127.0.0.1 as 10.0.2.2), the serial console in a file. A guest reboot restarts the machine in the
 * same process, UEFI variables kept (systemd-boot's one-shot entry lives there), as on a
 * hypervisor. Close it to end QEMU.
 */
public final class OvmfMachine implements AutoCloseable {
  private static final Path OVMF = Path.of("/usr/share/OVMF");

  private final Process qemu;
  private final Path console;

  private OvmfMachine(Process qemu, Path console) {
    this.qemu = qemu;
    this.console = console;
  }

  /**
   * Starts QEMU with its files (UEFI variables, console, QEMU's own output) in {@code dir}.
   *
   * @param disk the exported qcow2 disk
   * @param configDisk the export's NAME-config.img, or null
   * @param memoryMib the guest's memory
   * @param httpPort 127.0.0.1 port forwarded to the guest's port 80
   */
  public static OvmfMachine boot(
      Path dir, Path disk, Path configDisk, int memoryMib, int httpPort) {
    try {
      Files.createDirectories(dir);
      Path vars = dir.resolve("OVMF_VARS.fd");
      Files.copy(OVMF.resolve("OVMF_VARS_4M.fd"), vars, StandardCopyOption.REPLACE_EXISTING);
      Path console = dir.resolve("console.log");
      List<String> command =
          new ArrayList<>(
              List.of(
                  "qemu-system-x86_64",
                  "-machine",
                  "q35",
                  "-accel",
                  "tcg",
                  "-m",
                  Integer.toString(memoryMib),
                  "-display",
                  "none",
                  "-drive",
                  "if=pflash,format=raw,readonly=on,file=" + OVMF.resolve("OVMF_CODE_4M.fd"),
                  "-drive",
                  "if=pflash,format=raw,file=" + vars,
                  "-drive",
                  "if=virtio,format=qcow2,file=" + disk,
                  "-netdev",
                  "user,id=n0,hostfwd=tcp:127.0.0.1:" + httpPort + "-:80",
                  "-device",
                  "virtio-net-pci,netdev=n0",
                  "-serial",
                  "file:" + console));
      if (configDisk != null) {
        command.addAll(List.of("-drive", "if=virtio,format=raw,readonly=on,file=" + configDisk));
      }
      Process qemu =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("qemu.log").toFile())
              .start();
      return new OvmfMachine(qemu, console);
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot start qemu-system-x86_64 (Debian package qemu-system-x86)", e);
    }
  }

  public boolean isAlive() {
    return qemu.isAlive();
  }

  /** Everything on the serial console so far (all boots). */
  public String console() {
    try {
      return Files.exists(console) ? Files.readString(console, StandardCharsets.ISO_8859_1) : "";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Waits until the console, from character {@code from} on, contains {@code text}; returns the
   * index where it starts. Fails the test when QEMU ends or after {@code timeout} (a guard against
   * hangs, not a speed claim).
   */
  public int awaitConsole(String text, int from, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline && qemu.isAlive()) {
      int at = console().indexOf(text, from);
      if (at >= 0) {
        return at;
      }
      Thread.sleep(2000);
    }
    throw new AssertionError(
        (qemu.isAlive() ? "" : "QEMU ended; ")
            + "the console never said '"
            + text
            + "' within "
            + timeout.toSeconds()
            + " s; it ends with:\n"
            + tail());
  }

  /** The last 40 lines of the console, for failure messages. */
  public String tail() {
    List<String> lines = console().lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }

  @Override
  public void close() {
    qemu.destroyForcibly();
    try {
      qemu.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
