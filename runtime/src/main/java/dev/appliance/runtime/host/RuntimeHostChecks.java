package dev.appliance.runtime.host;

import dev.appliance.common.ApplianceDirs;
import dev.appliance.common.ApplianceException;
import dev.appliance.common.HostCheck;
import dev.appliance.common.HostTools;
import dev.appliance.runtime.disk.HostTool;
import dev.appliance.runtime.engine.Bubblewrap;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What this host can run: each engine (kvm, uml, tcg) usable or not and why, the networking
 * helpers, the disk tools and the free space in the data directory. Reports gaps; never fails
 * because of one.
 */
public final class RuntimeHostChecks {
  /** Enough for the LAMP image's layers, its assembled disk and one instance overlay. */
  static final long MIN_FREE_BYTES = 5L << 30;

  private static final String QEMU = "qemu-system-x86_64";
  private static final List<Path> VDEPLUG_PLUGIN_DIRS =
      List.of(Path.of("/usr/lib"), Path.of("/usr/local/lib"), Path.of("/usr/lib64"));

  private final KvmProbe kvmProbe;
  private final Path seccompActions;

  public RuntimeHostChecks() {
    this(new KvmProbe(), Path.of("/proc/sys/kernel/seccomp/actions_avail"));
  }

  RuntimeHostChecks(KvmProbe kvmProbe, Path seccompActions) {
    this.kvmProbe = kvmProbe;
    this.seccompActions = seccompActions;
  }

  /** All runtime checks, engines first (kvm, uml, tcg). */
  public List<HostCheck> run(ApplianceDirs dirs) {
    return List.of(
        kvm(),
        uml(),
        tcg(),
        sandbox(Bubblewrap.probe()),
        qemuUserNetwork(),
        vdeSlirp(),
        HostTools.tool("disk.mke2fs", "mke2fs", "e2fsprogs", "create ext4 disks"),
        HostTools.tool(
            "disk.debugfs", "debugfs", "e2fsprogs", "set owners, modes and devices on ext4 disks"),
        HostTools.tool(
            "disk.qemu-img", "qemu-img", "qemu-utils", "create instance overlays and export disks"),
        freeSpace(dirs.data()));
  }

  private HostCheck kvm() {
    KvmProbe.Finding finding = kvmProbe.examine();
    KvmProbe.Result result = finding.result();
    return result.usable()
        ? HostCheck.ok("engine.kvm", result.reason() + " (fastest engine)")
        : HostCheck.gap("engine.kvm", result.reason(), finding.fix());
  }

  private HostCheck uml() {
    List<String> missing = new ArrayList<>();
    List<String> packages = new ArrayList<>();
    if (HostTools.find("vde_plug").isEmpty()) {
      missing.add("vde_plug");
      packages.add("vdeplug");
    }
    if (slirpPlugin().isEmpty()) {
      missing.add("the vdeplug slirp plugin");
      packages.add("libvdeplug-slirp");
    }
    if (HostTools.find("patchelf").isEmpty()) {
      missing.add("patchelf");
      packages.add("patchelf");
    }
    boolean seccomp = seccompTrapAvailable();
    if (seccomp && missing.isEmpty()) {
      return HostCheck.ok(
          "engine.uml",
          "User-Mode Linux in seccomp mode; the image brings its kernel,"
              + " the host has vde_plug, the slirp plugin, patchelf and seccomp");
    }
    List<String> fixes = new ArrayList<>();
    if (!packages.isEmpty()) {
      fixes.add(HostTools.aptInstall(packages.toArray(String[]::new)));
    }
    if (!seccomp) {
      missing.add("seccomp filters with SECCOMP_RET_TRAP (" + seccompActions + ")");
      fixes.add("use a host kernel built with CONFIG_SECCOMP_FILTER");
    }
    return HostCheck.gap(
        "engine.uml", "missing " + String.join(", ", missing), String.join("; ", fixes));
  }

  private HostCheck tcg() {
    return HostTools.find(QEMU)
        .map(
            path ->
                HostCheck.ok(
                    "engine.tcg",
                    path
                        + ": QEMU software emulation, works everywhere but slowest (about 40 s to boot LAMP)"))
        .orElseGet(
            () ->
                HostCheck.gap(
                    "engine.tcg", QEMU + " not found", HostTools.aptInstall("qemu-system-x86")));
  }

  /** Whether engines run confined here; without it {@code run} refuses images from registries. */
  static HostCheck sandbox(Bubblewrap.Support support) {
    return support
        .sandbox()
        .map(
            b ->
                HostCheck.ok(
                    "sandbox.engines",
                    b.program()
                        + ": engines (UML kernel, QEMU) and their network"
                        + " helper run in their own user, mount, PID and IPC namespaces (engines without network),"
                        + " seeing only their instance"))
        .orElseGet(
            () ->
                HostCheck.gap(
                    "sandbox.engines",
                    "engines cannot be sandboxed: "
                        + support.problem()
                        + "; `run` refuses images from registries unless asked to run them unconfined,"
                        + " and runs local builds unconfined",
                    support.fix(),
                    RunRemedy.RUN_UNSANDBOXED));
  }

  /** kvm and tcg guests join the vde_plug slirp helper through QEMU's vde network backend. */
  private static HostCheck qemuUserNetwork() {
    Optional<Path> qemu = HostTools.find(QEMU);
    if (qemu.isEmpty()) {
      return HostCheck.gap(
          "network.qemu-vde",
          QEMU
              + " not found: kvm and tcg guests need its vde network"
              + " backend for published ports",
          HostTools.aptInstall("qemu-system-x86"));
    }
    if (netdevBackends(qemu.get()).lines().anyMatch(line -> line.strip().equals("vde"))) {
      return HostCheck.ok(
          "network.qemu-vde",
          "QEMU's vde backend joins kvm and tcg guests to the vde_plug"
              + " slirp helper (port publishing, guests kept off the host loopback)");
    }
    return HostCheck.gap(
        "network.qemu-vde",
        qemu.get() + " lacks the vde network backend (-netdev vde)",
        HostTools.aptInstall("qemu-system-x86") + " (Debian's build has it)");
  }

  private static HostCheck vdeSlirp() {
    Optional<Path> vdePlug = HostTools.find("vde_plug");
    Optional<Path> plugin = slirpPlugin();
    if (vdePlug.isPresent() && plugin.isPresent()) {
      return HostCheck.ok(
          "network.vde-slirp",
          vdePlug.get()
              + " with "
              + plugin.get()
              + " for every engine's guest network and port publishing");
    }
    List<String> packages = new ArrayList<>();
    vdePlug.ifPresentOrElse(p -> {}, () -> packages.add("vdeplug"));
    plugin.ifPresentOrElse(p -> {}, () -> packages.add("libvdeplug-slirp"));
    return HostCheck.gap(
        "network.vde-slirp",
        "every engine's guest network is vde_plug with its slirp plugin",
        HostTools.aptInstall(packages.toArray(String[]::new)));
  }

  private static HostCheck freeSpace(Path data) {
    Path existing = data.toAbsolutePath();
    while (existing != null && !Files.exists(existing)) {
      existing = existing.getParent();
    }
    if (existing == null) {
      return HostCheck.gap(
          "store.free-space",
          "no existing directory above " + data,
          "set APPLIANCE_HOME to a writable directory");
    }
    try {
      long free = Files.getFileStore(existing).getUsableSpace();
      String detail = String.format("%.1f GiB free for %s", free / (double) (1L << 30), data);
      return free >= MIN_FREE_BYTES
          ? HostCheck.ok("store.free-space", detail)
          : HostCheck.gap(
              "store.free-space",
              detail + "; at least " + (MIN_FREE_BYTES >> 30) + " GiB recommended",
              "appliance gc, or free space there, or set APPLIANCE_HOME"
                  + " to a bigger file system");
    } catch (IOException e) {
      return HostCheck.gap(
          "store.free-space",
          "cannot read free space of " + existing + ": " + e.getMessage(),
          "set APPLIANCE_HOME to a readable, writable directory");
    }
  }

  /** What {@code qemu -netdev help} lists, or "" when it cannot run. */
  private static String netdevBackends(Path qemu) {
    try {
      return HostTool.runAllowingFailure(
              List.of(qemu.toString(), "-netdev", "help"),
              Path.of(System.getProperty("java.io.tmpdir")),
              Map.of())
          .stdout();
    } catch (ApplianceException e) {
      return "";
    }
  }

  private boolean seccompTrapAvailable() {
    try {
      return List.of(Files.readString(seccompActions).trim().split("\\s+")).contains("trap");
    } catch (IOException e) {
      return false;
    }
  }

  /** libvdeplug_slirp.so in a vdeplug plugin directory, multiarch ones included. */
  private static Optional<Path> slirpPlugin() {
    for (Path lib : VDEPLUG_PLUGIN_DIRS) {
      Path direct = lib.resolve("vdeplug/libvdeplug_slirp.so");
      if (Files.isRegularFile(direct)) {
        return Optional.of(direct);
      }
      try (DirectoryStream<Path> arches = Files.newDirectoryStream(lib, "*-linux-gnu*")) {
        for (Path arch : arches) {
          Path candidate = arch.resolve("vdeplug/libvdeplug_slirp.so");
          if (Files.isRegularFile(candidate)) {
            return Optional.of(candidate);
          }
        }
      } catch (IOException e) {
        // No such lib directory: look in the next one.
      }
    }
    return Optional.empty();
  }
}
