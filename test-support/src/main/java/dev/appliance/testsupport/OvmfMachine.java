package dev.appliance.testsupport;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An exported disk booted as an ops team boots it on a bare hypervisor: plain {@code
 * qemu-system-x86_64} (q35) on TCG with Debian's OVMF and its own copy of the UEFI variables, no
 * kernel given to QEMU, nothing of the appliance runtime. The boot disk on virtio, QEMU's user
 * network with the guest's port 80 forwarded to a 127.0.0.1 port (the guest reaches the host's
 * 127.0.0.1 as 10.0.2.2), the serial console in a file. Start one with {@link #in}; close it to end
 * QEMU.
 */
public final class OvmfMachine implements AutoCloseable {
  private static final Path OVMF = Path.of("/usr/share/OVMF");

  private final ProcessBuilder command;
  private final SerialConsole console;
  private final int httpPort;
  private final Thread restarter;
  private final AtomicInteger resets = new AtomicInteger();
  private Process qemu;
  private boolean closed;

  private OvmfMachine(
      ProcessBuilder command, SerialConsole console, int httpPort, boolean restartOnReset)
      throws IOException {
    this.command = command;
    this.console = console;
    this.httpPort = httpPort;
    this.qemu = command.start();
    this.restarter = restartOnReset ? new Thread(this::restartOnReset, "qemu restarts") : null;
    if (restarter != null) {
      restarter.setDaemon(true);
      restarter.start();
    }
  }

  /** A machine whose files (UEFI variables, console.log, qemu.log) go to {@code dir}. */
  public static Builder in(Path dir) {
    return new Builder(dir);
  }

  /** What the machine has; {@link #disk} and {@link #start} are required. */
  public static final class Builder {
    private final Path dir;
    private final List<String> devices = new ArrayList<>();
    private final List<String> extra = new ArrayList<>();
    private Path disk;
    private String diskFormat;
    private int memoryMib = 1024;
    private String network;
    private boolean restartOnReboot;

    private Builder(Path dir) {
      this.dir = dir;
    }

    /** The boot disk, on virtio; {@code format} as qemu-img names it (raw, qcow2). */
    public Builder disk(Path disk, String format) {
      this.disk = disk;
      this.diskFormat = format;
      return this;
    }

    /** One more raw disk on virtio, read-only: an export's config disk, a NoCloud seed. */
    public Builder readOnlyDisk(Path raw) {
      devices.addAll(List.of("-drive", "if=virtio,format=raw,readonly=on,file=" + raw));
      return this;
    }

    /** One more raw disk on virtio, writable, with {@code serial} (a KubeVirt volume's). */
    public Builder diskWithSerial(Path raw, String serial) {
      String id = "disk" + devices.size();
      devices.addAll(
          List.of(
              "-drive",
              "if=none,id=" + id + ",format=raw,file=" + raw,
              "-device",
              "virtio-blk-pci,drive=" + id + ",serial=" + serial));
      return this;
    }

    public Builder memoryMib(int memoryMib) {
      this.memoryMib = memoryMib;
      return this;
    }

    /** More options of QEMU's user-mode network (a guest network, guestfwd), or none. */
    public Builder network(String options) {
      this.network = options;
      return this;
    }

    /**
     * A guest reboot starts the machine again on the same disks and UEFI variables (systemd-boot's
     * one-shot entry lives there), as a hypervisor does; by default a reboot ends the machine.
     *
     * <p>QEMU ends at the reset and a new one starts: a cold start. Not QEMU's reset in place: in
     * two CI runs under TCG at a load of 10 to 20, a guest hung right after one (OVMF printed
     * nothing for 15 min; or the kernel stayed silent until a watchdog reset), while every boot of
     * a freshly started QEMU came up.
     */
    public Builder restartOnReboot() {
      this.restartOnReboot = true;
      return this;
    }

    /** More QEMU arguments, e.g. {@code -smbios}. */
    public Builder extra(List<String> arguments) {
      extra.addAll(arguments);
      return this;
    }

    /** Starts QEMU with the guest's port 80 forwarded to 127.0.0.1:{@code httpPort}. */
    public OvmfMachine start(int httpPort) {
      if (disk == null) {
        throw new IllegalStateException("no boot disk");
      }
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
                    "if=virtio,format=" + diskFormat + ",file=" + disk,
                    "-netdev",
                    "user,id=n0,hostfwd=tcp:127.0.0.1:"
                        + httpPort
                        + "-:80"
                        + (network == null ? "" : "," + network),
                    "-device",
                    "virtio-net-pci,netdev=n0",
                    // Appended to: a machine started again after a reboot keeps one console.
                    "-chardev",
                    "file,id=console,append=on,path=" + console,
                    "-serial",
                    "chardev:console"));
        command.addAll(devices);
        command.add("-no-reboot");
        command.addAll(extra);
        return new OvmfMachine(
            new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("qemu.log").toFile())),
            new SerialConsole(console),
            httpPort,
            restartOnReboot);
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot start qemu-system-x86_64 (Debian package qemu-system-x86)", e);
      }
    }
  }

  /** Whether the machine runs: QEMU runs, or is being started again after a guest reboot. */
  public boolean isAlive() {
    return current().isAlive() || (restarter != null && restarter.isAlive());
  }

  /** How many times the guest reset (rebooted) and the machine started again. */
  public int resets() {
    return resets.get();
  }

  private synchronized Process current() {
    return qemu;
  }

  /**
   * Starts QEMU again each time it ends at a guest reset; stops at a power-off (the kernel's last
   * word is "Power down"), at QEMU's failure, or at {@link #close}.
   */
  private void restartOnReset() {
    try {
      while (true) {
        int mark = console.text().length();
        Process ended = current();
        int exit = ended.waitFor();
        synchronized (this) {
          if (closed || exit != 0 || console.text().indexOf("reboot: Power down", mark) >= 0) {
            return;
          }
          qemu = command.start();
          resets.incrementAndGet();
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start QEMU again after the guest's reboot", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** The 127.0.0.1 port forwarded to the guest's port 80. */
  public int httpPort() {
    return httpPort;
  }

  /** Everything on the serial console so far (all boots). */
  public String console() {
    return console.text();
  }

  /** The last 40 lines of the console, for failure messages. */
  public String tail() {
    return console.tail(40);
  }

  /** {@link SerialConsole#await} on this machine's console. */
  public int awaitConsole(String text, int from, Duration timeout) throws InterruptedException {
    return console.await(text, from, timeout, this::isAlive);
  }

  /**
   * Waits until GET {@code path} on the forwarded port answers 200; false when QEMU ends first or
   * after {@code timeout}.
   */
  public boolean awaitHttpOk(String path, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline && isAlive()) {
      try {
        HttpURLConnection c = connection(path, 2000);
        if (c.getResponseCode() == 200) {
          return true;
        }
      } catch (IOException notYet) {
        // still booting, or rebooting
      }
      Thread.sleep(1000);
    }
    return false;
  }

  /**
   * The body of GET {@code path} on the forwarded port; an IOException when it is not a 200 (the
   * guest is not up yet, or has not written it).
   */
  public String get(String path) throws IOException {
    // Longer than a poll's: a guest on TCG on a loaded machine can take seconds to answer.
    HttpURLConnection c = connection(path, 30_000);
    if (c.getResponseCode() != 200) {
      throw new IOException("GET " + path + ": HTTP " + c.getResponseCode());
    }
    try (var in = c.getInputStream()) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  private HttpURLConnection connection(String path, int timeoutMillis) throws IOException {
    HttpURLConnection c =
        (HttpURLConnection)
            URI.create("http://127.0.0.1:" + httpPort + path).toURL().openConnection();
    c.setConnectTimeout(timeoutMillis);
    c.setReadTimeout(timeoutMillis);
    return c;
  }

  @Override
  public void close() {
    Process last;
    synchronized (this) {
      closed = true;
      last = qemu;
    }
    last.destroyForcibly();
    try {
      last.waitFor(30, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
