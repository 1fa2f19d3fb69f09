package dev.appliance.builder.host;

import dev.appliance.builder.AptSources;
import dev.appliance.builder.BuildRemedy;
import dev.appliance.builder.UserNamespace;
import dev.appliance.common.ApplianceException;
import dev.appliance.common.HostCheck;
import dev.appliance.common.HostTools;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The builder's prerequisites on this host: mmdebstrap, root or a user namespace (the builder runs
 * mmdebstrap in root mode, mounts overlayfs and chroots), overlayfs, and a Debian mirror in the
 * host's apt sources. Reports gaps; never fails because of one.
 */
public final class BuilderHostChecks {
  private final Path root;
  private final Path filesystems;

  public BuilderHostChecks() {
    this(Path.of("/"), Path.of("/proc/filesystems"));
  }

  /**
   * @param root where etc/apt lives (the host: /)
   * @param filesystems the kernel's list of file systems (/proc/filesystems)
   */
  BuilderHostChecks(Path root, Path filesystems) {
    this.root = root;
    this.filesystems = filesystems;
  }

  public List<HostCheck> run() {
    List<HostCheck> checks =
        new ArrayList<>(
            List.of(
                HostTools.tool(
                    "builder.mmdebstrap",
                    "mmdebstrap",
                    "mmdebstrap",
                    "create Debian root file systems"),
                privileges(),
                overlayfs(),
                aptMirror()));
    checks.addAll(tools());
    return checks;
  }

  /**
   * The other programs a build runs, each with the full path it will use (the caller's PATH does
   * not decide).
   */
  private static List<HostCheck> tools() {
    List<HostCheck> tools =
        new ArrayList<>(
            List.of(
                HostTools.tool(
                    "builder.chroot", "chroot", "coreutils", "run package installs and run steps"),
                HostTools.tool("builder.mount", "mount", "mount", "mount overlays and bind mounts"),
                HostTools.tool("builder.umount", "umount", "mount", "unmount them after each step"),
                HostTools.tool(
                    "builder.getfattr", "getfattr", "attr", "keep file capabilities in layers"),
                HostTools.tool("builder.dpkg-deb", "dpkg-deb", "dpkg", "read cached packages")));
    if (!HostTools.isRoot()) {
      tools.add(HostTools.tool("builder.unshare", "unshare", "util-linux", "build without root"));
      tools.add(
          HostTools.tool("builder.newuidmap", "newuidmap", "uidmap", "map subordinate user ids"));
      tools.add(
          HostTools.tool("builder.newgidmap", "newgidmap", "uidmap", "map subordinate group ids"));
    }
    return tools;
  }

  private static HostCheck privileges() {
    if (HostTools.isRoot()) {
      return HostCheck.ok(
          "builder.privileges", "running as root (mmdebstrap root mode, overlayfs, chroot)");
    }
    return UserNamespace.whyNotAvailable()
        .map(why -> HostCheck.gap("builder.privileges", why, "sudo appliance build RECIPE"))
        .orElseGet(
            () ->
                HostCheck.ok(
                    "builder.privileges",
                    "not root: builds run in a user namespace over this user's /etc/subuid range (unshare mode)"));
  }

  private HostCheck overlayfs() {
    try {
      boolean present =
          Files.readAllLines(filesystems).stream()
              .anyMatch(line -> List.of(line.strip().split("\\s+")).contains("overlay"));
      if (present) {
        return HostCheck.ok("builder.overlayfs", "overlay file system available");
      }
    } catch (IOException e) {
      return HostCheck.gap(
          "builder.overlayfs",
          "cannot read " + filesystems + ": " + e.getMessage(),
          HostTools.asRoot("modprobe overlay"));
    }
    return HostCheck.gap(
        "builder.overlayfs",
        "the kernel does not list overlay in " + filesystems,
        HostTools.asRoot("modprobe overlay"));
  }

  private HostCheck aptMirror() {
    try {
      String mirror = AptSources.read(root).debianMirror();
      return HostCheck.ok("builder.debian-mirror", mirror + " (from the host's apt sources)");
    } catch (ApplianceException | UncheckedIOException e) {
      return HostCheck.gap(
          "builder.debian-mirror",
          e.getMessage(),
          "add your Debian mirror to "
              + root.resolve("etc/apt/sources.list.d/debian.sources")
              + " (deb822, URIs: line)",
          BuildRemedy.NAME_MIRROR);
    }
  }
}
