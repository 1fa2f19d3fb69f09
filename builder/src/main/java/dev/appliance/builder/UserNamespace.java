package dev.appliance.builder;

import dev.appliance.common.ApplianceDirs;
import dev.appliance.common.ApplianceException;
import dev.appliance.common.HostTools;
import dev.appliance.common.Rerun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Rootless builds ("unshare mode"). A build needs root: mmdebstrap, overlayfs mounts, chroot, files
 * owned by many users. A user without root re-runs the same command as root of a new user
 * namespace, the way mmdebstrap's and podman's unshare modes do: uid 0 inside is the user, uids 1
 * to 65535 inside are the user's subordinate range from /etc/subuid (set up by newuidmap). In there
 * the build runs exactly as for root and writes the same layers; files in the layer cache are then
 * owned by subordinate uids on the host.
 */
public final class UserNamespace {
  /** Set in the re-run process, so that a failing mapping never loops. */
  static final String MARKER = "APPLIANCE_USER_NAMESPACE";

  /** uids 0..65534 are what Debian packages use (65534 is nobody). */
  static final long IDS_NEEDED = 65535;

  /**
   * How root re-runs a build: in a mount namespace of its own whose mounts never propagate to the
   * host's, so a build killed with SIGKILL leaves no mount behind (the namespace goes with its last
   * process). No PID namespace: the build's pid in its scratch directory must stay meaningful to
   * the next build.
   */
  static final List<String> PRIVATE_MOUNTS =
      List.of("unshare", "--mount", "--propagation", "private", "--");

  /**
   * Run inside the namespace, before the build: umask 022, whatever the invoking shell's. Files
   * made by run steps, maintainer scripts, install -D and the builder itself take their modes from
   * it, so under another umask (027, 077 measured) the same recipe gave other modes (a run step's
   * file, /usr of the SBOM layer) and another digest. The command line follows as sh's arguments,
   * never as part of its script.
   */
  static final List<String> BUILD_UMASK =
      List.of("/bin/sh", "-c", "umask 022 && exec \"$@\"", "sh");

  private UserNamespace() {}

  /**
   * Whether this process must re-run itself to build: without root in a user namespace; as root
   * too, in a private mount namespace (see {@link #PRIVATE_MOUNTS}), unless this is the re-run
   * process already.
   */
  public static boolean needed() {
    return !HostTools.isRoot() || System.getenv(MARKER) == null;
  }

  /**
   * Whether this process runs in a user namespace that maps fewer ids than the host has (rootless).
   */
  static boolean inside() {
    try {
      List<String> lines = Files.readAllLines(Path.of("/proc/self/uid_map"));
      String[] only = lines.size() == 1 ? lines.get(0).trim().split("\\s+") : new String[0];
      return !(only.length == 3 && only[2].equals("4294967295"));
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * Re-runs this very process (same java, class path and arguments) as root of a new user, mount
   * and pid namespace (root: in a private mount namespace), under umask 022 ({@link #BUILD_UMASK}),
   * and returns its exit code. Standard streams are shared. Ctrl-C reaches both processes; this one
   * then waits for the re-run one to clean up.
   */
  public static int rerunThisProcess() {
    if (System.getenv(MARKER) != null) {
      throw new ApplianceException(
          "appliance build runs in a user namespace but is not root there: "
              + "the subordinate id mapping failed");
    }
    // uid 0 in there has root's home in the password database: keep the user's own dirs.
    List<String> prefix =
        new ArrayList<>(HostTools.isRoot() ? PRIVATE_MOUNTS : unshareCommand(preflight()));
    prefix.addAll(BUILD_UMASK);
    return Rerun.run(
        prefix,
        Rerun.commandLine(),
        Map.of(MARKER, "1", "HOME", ApplianceDirs.home(System.getenv()).toString()));
  }

  /** Why this user cannot build in a user namespace (with the fix), or empty when it can. */
  public static Optional<String> whyNotAvailable() {
    try {
      preflight();
      return Optional.empty();
    } catch (ApplianceException e) {
      return Optional.of(e.getMessage());
    }
  }

  /** The user's subordinate ids, after checking what the namespace needs. */
  private static Mapping preflight() {
    String user = System.getProperty("user.name");
    long uid = idOf();
    String fix =
        "; run 'appliance build' as root (sudo), or give "
            + user
            + " a range:"
            + " usermod --add-subuids 100000-165535 --add-subgids 100000-165535 "
            + user;
    Range uids =
        Range.find(Path.of("/etc/subuid"), user, uid)
            .orElseThrow(
                () ->
                    new ApplianceException(
                        "appliance build needs root or subordinate user ids: /etc/subuid has no range of "
                            + IDS_NEEDED
                            + " ids for "
                            + user
                            + fix));
    Range gids =
        Range.find(Path.of("/etc/subgid"), user, uid)
            .orElseThrow(
                () ->
                    new ApplianceException(
                        "appliance build needs root or subordinate group ids: /etc/subgid has no range of "
                            + IDS_NEEDED
                            + " ids for "
                            + user
                            + fix));
    for (String tool : List.of("newuidmap", "newgidmap", "unshare")) {
      if (HostTools.find(tool).isEmpty()) {
        throw new ApplianceException(
            "appliance build without root needs "
                + tool
                + ": "
                + HostTools.aptInstall(tool.equals("unshare") ? "util-linux" : "uidmap"));
      }
    }
    Processes.Result probe =
        Processes.run(
            List.of("unshare", "--user", "--map-root-user", "true"),
            Map.of(),
            null,
            line -> {},
            false);
    if (probe.exitCode() != 0) {
      throw new ApplianceException(
          "appliance build without root needs unprivileged user namespaces, which"
              + " this host does not allow ("
              + probe.tail().strip()
              + "): check the sysctls"
              + " user.max_user_namespaces and kernel.apparmor_restrict_unprivileged_userns, or run as root");
    }
    return new Mapping(uids, gids);
  }

  static List<String> unshareCommand(Mapping m) {
    // util-linux 2.38 takes OUTER,INNER,COUNT; inside uid 0 is the user, 1.. the subordinate range.
    return List.of(
        "unshare",
        "--user",
        "--map-root-user",
        "--map-users=" + m.uids().start() + ",1," + IDS_NEEDED,
        "--map-groups=" + m.gids().start() + ",1," + IDS_NEEDED,
        "--mount",
        "--propagation",
        "private",
        "--pid",
        "--fork",
        "--mount-proc",
        "--");
  }

  private static long idOf() {
    try {
      return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).longValue();
    } catch (IOException e) {
      throw new ApplianceException("cannot read this process's uid: " + e.getMessage(), e);
    }
  }

  /** The subordinate ranges mapped to ids 1.. inside; /etc/subgid is keyed by user too. */
  record Mapping(Range uids, Range gids) {}

  /** One line of /etc/subuid or /etc/subgid: NAME-or-ID:START:COUNT. */
  record Range(long start, long count) {
    static Optional<Range> find(Path file, String user, long id) {
      List<String> lines;
      try {
        lines = Files.exists(file) ? Files.readAllLines(file) : List.of();
      } catch (IOException e) {
        throw new ApplianceException("cannot read " + file + ": " + e.getMessage(), e);
      }
      return parse(lines, user, id);
    }

    static Optional<Range> parse(List<String> lines, String user, long id) {
      for (String line : lines) {
        String[] f = line.strip().split(":");
        if (f.length != 3 || !(f[0].equals(user) || f[0].equals(Long.toString(id)))) {
          continue;
        }
        try {
          Range r = new Range(Long.parseLong(f[1]), Long.parseLong(f[2]));
          if (r.count() >= IDS_NEEDED) {
            return Optional.of(r);
          }
        } catch (NumberFormatException e) {
          // newuidmap ignores such lines too.
        }
      }
      return Optional.empty();
    }
  }
}
