package dev.appliance.runtime.engine;

import dev.appliance.common.ApplianceException;
import dev.appliance.common.HostTools;
import dev.appliance.runtime.disk.HostTool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Confines a process with bubblewrap ({@code bwrap}, Debian package bubblewrap): own user, mount,
 * PID, IPC, UTS and (unless it is the network helper) network namespaces, no capabilities, a fresh
 * session, a root file system holding only the host's read-only {@code /usr} and what its {@link
 * Confinement} lists, and death with its parent. Rootless: unprivileged user namespaces suffice
 * (Debian's default).
 */
public final class Bubblewrap implements Sandbox {
  public static final String PROGRAM = "bwrap";

  /**
   * Top-level names that are links into /usr on a merged-/usr host, or directories on older ones.
   */
  private static final List<String> SYSTEM_DIRS =
      List.of("bin", "sbin", "lib", "lib32", "lib64", "libx32");

  private static final Path ROOT = Path.of("/");

  private final Path bwrap;

  Bubblewrap(Path bwrap) {
    this.bwrap = bwrap;
  }

  /** The bwrap executable. */
  public Path program() {
    return bwrap;
  }

  private static final String USABLE = "usable";

  /** What decides whether user namespaces work for this user (beside the kernel and bwrap). */
  private static final List<Path> USERNS_SYSCTLS =
      List.of(
          Path.of("/proc/sys/user/max_user_namespaces"),
          Path.of("/proc/sys/kernel/unprivileged_userns_clone"),
          Path.of("/proc/sys/kernel/apparmor_restrict_unprivileged_userns"));

  /**
   * {@link #probe()}, with a positive verdict kept in {@code cache} for this boot of the host, this
   * bwrap executable, this user and these sysctl values; a negative one is probed every time.
   */
  public static Support probe(ProbeCache cache) {
    Optional<Path> program = HostTools.find(PROGRAM);
    if (program.isEmpty()) {
      return probe();
    }
    List<String> key =
        new ArrayList<>(
            List.of(
                ProbeCache.fileIdentity(program.get()),
                ProbeCache.bootId(),
                System.getProperty("user.name")));
    USERNS_SYSCTLS.forEach(sysctl -> key.add(ProbeCache.readOr(sysctl, "absent")));
    String joined = String.join("\n", key);
    if (cache.get(PROGRAM, joined).filter(USABLE::equals).isPresent()) {
      return new Support(Optional.of(new Bubblewrap(program.get())), null, null);
    }
    Support support = probe();
    if (support.sandbox().isPresent()) {
      cache.put(PROGRAM, joined, USABLE);
    }
    return support;
  }

  /**
   * Whether engines can be sandboxed here, found by a trial run of bwrap with the namespaces an
   * engine gets (user namespaces may be disabled even when bwrap is installed).
   */
  public static Support probe() {
    Optional<Path> program = HostTools.find(PROGRAM);
    if (program.isEmpty()) {
      return Support.unavailable(
          "bubblewrap (bwrap) is not installed", HostTools.aptInstall("bubblewrap"));
    }
    Bubblewrap sandbox = new Bubblewrap(program.get());
    Path dir = Path.of(System.getProperty("java.io.tmpdir"));
    List<String> trial =
        sandbox.wrap(
            List.of("/usr/bin/true"),
            ROOT,
            Map.of(),
            Confinement.engine(List.of(), List.of(), List.of()));
    HostTool.Result result;
    try {
      result = HostTool.runAllowingFailure(trial, dir, HostTool.Options.SHORT.merged());
    } catch (ApplianceException e) {
      return Support.unavailable(
          PROGRAM + " cannot run: " + e.getMessage(), HostTools.aptInstall("bubblewrap"));
    }
    if (result.exitCode() != 0) {
      return Support.unavailable(
          PROGRAM + " cannot create the sandbox's namespaces (" + result.stdout().strip() + ")",
          HostTools.asRoot("sysctl -w user.max_user_namespaces=15000")
              + " and, on kernels that have it, "
              + HostTools.asRoot("sysctl -w kernel.unprivileged_userns_clone=1")
              + " (Ubuntu: allow bwrap user namespaces in AppArmor)");
    }
    return new Support(Optional.of(sandbox), null, null);
  }

  /**
   * The outcome of {@link #probe}.
   *
   * @param sandbox present when engines can be confined here
   * @param problem why not, when absent
   * @param fix the command or step that makes it possible
   */
  public record Support(Optional<Bubblewrap> sandbox, String problem, String fix) {
    public static Support unavailable(String problem, String fix) {
      return new Support(Optional.empty(), problem, fix);
    }
  }

  @Override
  public List<String> wrap(
      List<String> command, Path workDir, Map<String, String> env, Confinement confinement) {
    List<String> c =
        new ArrayList<>(
            List.of(
                bwrap.toString(),
                "--die-with-parent",
                "--new-session",
                "--unshare-user",
                "--unshare-pid",
                "--unshare-ipc",
                "--unshare-uts",
                "--unshare-cgroup-try",
                "--cap-drop",
                "ALL",
                "--ro-bind",
                "/usr",
                "/usr"));
    if (!confinement.hostNetwork()) {
      c.add("--unshare-net");
    }
    for (String name : SYSTEM_DIRS) {
      Path path = ROOT.resolve(name);
      if (Files.isSymbolicLink(path)) {
        try {
          c.addAll(List.of("--symlink", Files.readSymbolicLink(path).toString(), path.toString()));
        } catch (IOException e) {
          // unreadable link: the sandbox simply lacks it
        }
      } else if (Files.isDirectory(path)) {
        c.addAll(List.of("--ro-bind", path.toString(), path.toString()));
      }
    }
    // No /tmp: temporary files (UML's guest memory) go to /dev/shm, a tmpfs private to the sandbox.
    c.addAll(
        List.of(
            "--ro-bind-try",
            "/etc/ld.so.cache",
            "/etc/ld.so.cache",
            "--proc",
            "/proc",
            "--dev",
            "/dev"));
    if (confinement.hostNetwork()) {
      // slirp forwards the guest's DNS queries to the host's resolvers
      c.addAll(
          List.of(
              "--ro-bind-try",
              "/etc/resolv.conf",
              "/etc/resolv.conf",
              "--ro-bind-try",
              "/etc/hosts",
              "/etc/hosts"));
    }
    for (Path p : confinement.writable()) {
      c.addAll(List.of("--bind", p.toString(), p.toString()));
    }
    for (Path p : confinement.readOnly()) {
      c.addAll(List.of("--ro-bind", p.toString(), p.toString()));
    }
    for (Path p : confinement.devices()) {
      c.addAll(List.of("--dev-bind", p.toString(), p.toString()));
    }
    // The sandbox's own root, with the directories made for the mounts above, is read-only too.
    c.addAll(List.of("--remount-ro", "/"));
    c.add("--clearenv");
    Map<String, String> all = new TreeMap<>(Map.of("PATH", "/usr/bin:/bin", "TMPDIR", "/dev/shm"));
    all.putAll(env);
    all.forEach((k, v) -> c.addAll(List.of("--setenv", k, v)));
    c.addAll(List.of("--chdir", workDir.toAbsolutePath().toString(), "--"));
    c.addAll(command);
    return c;
  }
}
