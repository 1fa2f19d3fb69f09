package dev.appliance.builder;

import dev.appliance.common.ApplianceException;
import dev.appliance.common.HostTools;
import dev.appliance.common.InvalidInputException;
import dev.appliance.recipe.Recipe;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Runs a recipe's steps inside a root file system: apt-get install, groups and users, files, run
 * steps, systemctl enable/disable. While open, /proc and /sys are mounted, /dev holds only the
 * nodes a build needs ({@link BuildDevices}), /tmp and /run are tmpfs, apt's lists and archives are
 * bound to the shared caches and the host's resolv.conf is bound in, so none of that ends up in a
 * layer. No mount goes through a symbolic link in the image ({@link InsideRoot}). Services are kept
 * from starting with policy-rc.d.
 */
final class ChrootSession implements AutoCloseable {
  private static final String POLICY_RC_D = "usr/sbin/policy-rc.d";
  private static final String RESOLV_CONF = "etc/resolv.conf";

  /** Where a session mounts; none may be reached through a symbolic link. */
  private static final List<String> MOUNT_POINTS =
      List.of("proc", "sys", "dev", "tmp", "run", "var/lib/apt/lists", "var/cache/apt/archives");

  private final Path root;
  private final BuildEnvironment env;
  private final boolean createdPolicy;

  /** apt's configuration for this session's runs, on its tmpfs /tmp (never in a layer). */
  private static final String APT_CONF = "/tmp/appliance-apt.conf";

  /**
   * No debconf preconfiguration before dpkg runs: the build answers no questions (noninteractive),
   * and each package's config script still runs when it is configured, as in mmdebstrap's own apt
   * run, which skips it too. It read the templates of every .deb first: 1.3 s of LAMP's packages
   * step.
   */
  private static final String NO_PRECONFIGURE = "#clear DPkg::Pre-Install-Pkgs;\n";

  ChrootSession(Path root, BuildEnvironment env) {
    this.root = root;
    this.env = env;
    try {
      // Every mount point is checked right before its mount: a run step of a lower layer may
      // have left a symbolic link there, and mount(8) would follow it onto the build host.
      Mounts.mount("-t", "proc", "proc", InsideRoot.mountPoint(root, "proc", false).toString());
      Mounts.sysfs(InsideRoot.mountPoint(root, "sys", false));
      BuildDevices.mount(InsideRoot.mountPoint(root, "dev", false));
      Mounts.mount("-t", "tmpfs", "tmpfs", InsideRoot.mountPoint(root, "tmp", false).toString());
      Files.writeString(
          root.resolve(APT_CONF.substring(1)), NO_PRECONFIGURE, StandardOpenOption.CREATE_NEW);
      Mounts.mount("-t", "tmpfs", "tmpfs", InsideRoot.mountPoint(root, "run", false).toString());
      bindInto(env.aptLists(), "var/lib/apt/lists");
      bindInto(env.debCache(), "var/cache/apt/archives");
      if (InsideRoot.linkOnTheWay(root, RESOLV_CONF, true).isEmpty()
          && Files.isRegularFile(root.resolve(RESOLV_CONF), LinkOption.NOFOLLOW_LINKS)
          && Files.isRegularFile(Path.of("/etc/resolv.conf"))) {
        Mounts.mount(
            "--bind",
            "/etc/resolv.conf",
            InsideRoot.mountPoint(root, RESOLV_CONF, true).toString());
      }
      Path policy = InsideRoot.createDirectories(root, "usr/sbin").resolve("policy-rc.d");
      createdPolicy = !Files.exists(policy, LinkOption.NOFOLLOW_LINKS);
      if (createdPolicy) {
        // O_EXCL: never written through a link.
        Files.write(
            Files.createFile(
                policy,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x"))),
            "#!/bin/sh\n# appliance build: do not start services\nexit 101\n"
                .getBytes(StandardCharsets.US_ASCII),
            StandardOpenOption.WRITE,
            LinkOption.NOFOLLOW_LINKS);
      }
    } catch (IOException | RuntimeException e) {
      Mounts.unmountAllUnder(root);
      throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
    }
  }

  private void bindInto(Path hostDir, String inside) throws IOException {
    Files.createDirectories(hostDir);
    Path target = InsideRoot.createDirectories(root, inside);
    Mounts.mount("--bind", hostDir.toString(), target.toString());
  }

  /**
   * After a run step: none of the session's mount points may have become a symbolic link (after an
   * umount in the step), since the next layer mounts there again.
   */
  private void checkMountPoints(Path recipe, int index) {
    for (String point : MOUNT_POINTS) {
      InsideRoot.linkOnTheWay(root, point, true)
          .ifPresent(
              link -> {
                throw new InvalidInputException(
                    recipe
                        + ": run step "
                        + index
                        + " left "
                        + link
                        + " where the build mounts /"
                        + point
                        + "; a build never mounts through a symbolic link, which could lead onto the build host");
              });
    }
  }

  /**
   * A command run in the chroot, with a reproducible environment, as PID 1 of its own PID
   * namespace: when it ends, every process it started ends too, so nothing a step leaves running
   * can change the tree while the build reads it from the host side.
   */
  Processes.Result chroot(List<String> command) {
    List<String> full =
        new ArrayList<>(
            List.of("unshare", "--pid", "--fork", "--kill-child", "--", "chroot", root.toString()));
    full.addAll(command);
    return Processes.run(full, environment(), null, env.log(), false);
  }

  private Map<String, String> environment() {
    Map<String, String> e = new LinkedHashMap<>();
    e.put("PATH", HostTools.STANDARD_PATH);
    e.put("DEBIAN_FRONTEND", "noninteractive");
    e.put("DEBCONF_NONINTERACTIVE_SEEN", "true");
    e.put("LC_ALL", "C.UTF-8");
    e.put("LANG", "C.UTF-8");
    e.put("HOME", "/root");
    e.put("SOURCE_DATE_EPOCH", Long.toString(env.sourceDateEpoch()));
    return e;
  }

  /**
   * apt-get with the build's settings, then {@code options} (this call's own -o pairs) and {@code
   * args}.
   */
  private List<String> aptGet(List<String> options, List<String> args) {
    // apt's binary cache lives on this session's tmpfs /tmp (shared by update and install, never
    // in a layer); dpkg skips its per-file fsync as mmdebstrap does: a crashed step's layer is
    // discarded anyway.
    List<String> command =
        new ArrayList<>(
            List.of(
                "apt-get",
                "-c",
                APT_CONF,
                "-q",
                "-y",
                "-o",
                "Dir::Cache::pkgcache=/tmp/apt-pkgcache.bin",
                "-o",
                "Dir::Cache::srcpkgcache=/tmp/apt-srcpkgcache.bin",
                "-o",
                "APT::Install-Recommends=false",
                "-o",
                "Dpkg::Use-Pty=false",
                // Package descriptions' translations: no use in an appliance, and 14 MB per update.
                "-o",
                "Acquire::Languages=none",
                "-o",
                "Dpkg::Options::=--force-unsafe-io"));
    for (String option : env.aptOptions()) {
      command.add("-o");
      command.add(option);
    }
    command.addAll(options);
    command.addAll(args);
    return command;
  }

  /**
   * apt-get update and install; returns the result so the caller can explain a failure. A lock's
   * pins go to a preferences file on this session's tmpfs /tmp, so a locked build's layer is the
   * same as an unlocked one that installed the same versions (no /etc/apt/preferences.d copied up
   * into it). {@code cachedDebs}, when not empty, is an extra apt source for this call only. {@code
   * update} is false when the shared lists are fresh from this build's own mmdebstrap or apt run;
   * the cached .deb source is always indexed. {@code unneededSources} are lines of the image's
   * sources.list the install leaves out (the update keeps them, so the shared lists stay whole):
   * apt reads every list it is given before it resolves anything, and sid's, there only for the UML
   * kernel, doubles that (4 s instead of 1.5 s in a LAMP build).
   */
  Processes.Result install(
      List<String> packages,
      String lockPreferences,
      CachedDebRepository cachedDebs,
      boolean update,
      List<String> unneededSources) {
    List<String> options = new ArrayList<>();
    String cachedSource = null;
    try {
      if (lockPreferences != null) {
        Files.writeString(
            root.resolve("tmp/appliance-lock.pref"),
            lockPreferences,
            StandardOpenOption.CREATE_NEW,
            StandardOpenOption.WRITE);
        options.addAll(List.of("-o", "Dir::Etc::Preferences=/tmp/appliance-lock.pref"));
      }
      if (!cachedDebs.isEmpty()) {
        Path mountPoint = InsideRoot.createDirectories(root, CachedDebRepository.MOUNT_POINT);
        Mounts.mount("-o", "ro,bind", cachedDebs.dir().toString(), mountPoint.toString());
        cachedSource = CachedDebRepository.sourceLine(CachedDebRepository.MOUNT_POINT);
      }
      if (update || cachedSource != null) {
        List<String> updateOptions = new ArrayList<>(options);
        if (cachedSource != null) {
          updateOptions.addAll(sourceList("appliance-update", List.of(), cachedSource));
        }
        Processes.Result updated = chroot(aptGet(updateOptions, List.of("update")));
        if (updated.exitCode() != 0) {
          return updated;
        }
      }
      if (!unneededSources.isEmpty() || cachedSource != null) {
        options.addAll(sourceList("appliance-install", unneededSources, cachedSource));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    List<String> install = new ArrayList<>(List.of("install"));
    install.addAll(packages);
    return chroot(aptGet(options, install));
  }

  /**
   * The apt options for a source list on this session's tmpfs /tmp: the image's own sources.list
   * without the lines in {@code leaveOut}, plus {@code extra} unless null. The image's apt
   * configuration is not touched, so nothing of it can reach the layer.
   */
  private List<String> sourceList(String name, List<String> leaveOut, String extra)
      throws IOException {
    String list = "/tmp/" + name + ".list";
    String omitted = "/tmp/" + name + ".omit";
    Files.write(
        root.resolve(omitted.substring(1)),
        leaveOut,
        StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE);
    // Read inside the chroot, so a link in the image resolves within the image; whole lines,
    // compared as fixed strings. grep exits 1 when it prints nothing, 2 without a sources.list.
    check(
        List.of(
            "sh",
            "-c",
            "{ grep -v -x -F -f \"$1\" /etc/apt/sources.list 2>/dev/null || true;"
                + " if [ -n \"$3\" ]; then echo \"$3\"; fi; } > \"$2\"",
            "sh",
            omitted,
            list,
            extra == null ? "" : extra),
        "writing the source list " + list);
    return List.of("-o", "Dir::Etc::SourceList=" + list);
  }

  void addGroup(Recipe.Group group, Path recipe) {
    if (exists("getent", "group", group.name())) {
      return;
    }
    List<String> command = new ArrayList<>(List.of("groupadd"));
    if (group.system()) {
      command.add("--system");
    }
    if (group.gid() != null) {
      command.addAll(List.of("--gid", group.gid().toString()));
    }
    command.add(group.name());
    check(command, recipe + ": group " + group.name());
  }

  void addUser(Recipe.User user, Path recipe) {
    if (exists("getent", "passwd", user.name())) {
      return;
    }
    List<String> command = new ArrayList<>(List.of("useradd"));
    if (user.system()) {
      command.add("--system");
    }
    if (user.uid() != null) {
      command.addAll(List.of("--uid", user.uid().toString()));
    }
    if (user.group() != null) {
      if (!exists("getent", "group", user.group())) {
        check(
            List.of("groupadd", user.system() ? "--system" : "-f", user.group()),
            recipe + ": group " + user.group());
      }
      command.addAll(List.of("--gid", user.group()));
    } else if (exists("getent", "group", user.name())) {
      command.addAll(List.of("--gid", user.name()));
    } else {
      command.add("--user-group");
    }
    if (!user.groups().isEmpty()) {
      command.addAll(List.of("--groups", String.join(",", user.groups())));
    }
    if (user.home() != null) {
      command.addAll(List.of("--home-dir", user.home(), "--create-home"));
    } else if (!user.system()) {
      command.add("--create-home");
    }
    if (user.shell() != null) {
      command.addAll(List.of("--shell", user.shell()));
    }
    command.add(user.name());
    check(command, recipe + ": user " + user.name());
  }

  /**
   * Installs a recipe file with its mode and owner. The copy is made by install(1) inside the
   * chroot, so a symbolic link in the image on the way to the destination (such as /var/run ->
   * /run) resolves inside the image and never onto the host.
   */
  void installFile(Recipe.FileEntry file, Path recipe) {
    install(
        stagedOnHost -> Files.copy(file.source(), stagedOnHost),
        file.dest(),
        file.mode(),
        file.owner(),
        file.group(),
        recipe + ": file " + file.dest(),
        recipe + ": cannot install " + file.source() + " as " + file.dest());
  }

  /** Files the builder generates (path in the image to content), root's, mode 0644. */
  void writeFiles(Map<String, String> files, Path recipe) {
    files.forEach(
        (dest, content) ->
            install(
                stagedOnHost -> Files.writeString(stagedOnHost, content, StandardCharsets.UTF_8),
                dest,
                0644,
                null,
                null,
                recipe + ": generated file " + dest,
                recipe + ": cannot write " + dest));
  }

  private interface Stager {
    void stage(Path stagedOnHost) throws IOException;
  }

  private void install(
      Stager stager, String dest, int mode, String owner, String group, String what, String fail) {
    String staged = "appliance-file-" + java.util.UUID.randomUUID();
    Path stagedOnHost = root.resolve("tmp").resolve(staged); // /tmp is this session's own tmpfs
    try {
      stager.stage(stagedOnHost);
      check(
          List.of(
              "install",
              "-D",
              "-m",
              Integer.toOctalString(mode),
              "-o",
              owner == null ? "root" : owner,
              "-g",
              group == null ? "root" : group,
              "/tmp/" + staged,
              dest),
          what);
    } catch (IOException e) {
      throw new ApplianceException(fail + ": " + e.getMessage(), e);
    } finally {
      try {
        Files.deleteIfExists(stagedOnHost);
      } catch (IOException e) {
        // The tmpfs is unmounted with the session anyway.
      }
    }
  }

  /** A run step; failure names the command, its exit code and the output's tail. */
  void run(Recipe.RunStep step, Path recipe, int index) {
    Processes.Result result = chroot(List.of("/bin/sh", "-ec", step.command()));
    if (result.exitCode() != 0) {
      throw new ApplianceException(
          recipe
              + ": run step "
              + index
              + " failed with exit code "
              + result.exitCode()
              + ":\n  "
              + step.command()
              + "\noutput (last lines):\n"
              + result.tail());
    }
    checkMountPoints(recipe, index);
  }

  /**
   * One systemctl call per verb, naming every unit: each call is a process in the chroot (30 ms),
   * and the base recipe masks 25 units. systemctl names the unit it fails on.
   */
  void services(Recipe.Services services, Path recipe) {
    // A unit the base masks (docs/recipe.md "services") is enabled by unmasking it first;
    // unmasking a unit that is not masked changes nothing.
    systemctl("unmask", services.enable(), recipe + ": unmasking services ");
    systemctl("enable", services.enable(), recipe + ": enabling services ");
    systemctl("disable", services.disable(), recipe + ": disabling services ");
    systemctl("mask", services.mask(), recipe + ": masking services ");
  }

  private void systemctl(String verb, List<String> units, String what) {
    if (units.isEmpty()) {
      return;
    }
    List<String> command = new ArrayList<>(List.of("systemctl", verb));
    command.addAll(units);
    check(command, what + String.join(", ", units));
  }

  private boolean exists(String... command) {
    return chroot(List.of(command)).exitCode() == 0;
  }

  private void check(List<String> command, String what) {
    Processes.Result result = chroot(command);
    if (result.exitCode() != 0) {
      throw new ApplianceException(
          what
              + ": "
              + String.join(" ", command)
              + " failed with exit code "
              + result.exitCode()
              + ":\n"
              + result.tail());
    }
  }

  @Override
  public void close() {
    try {
      if (createdPolicy) {
        // Not through a directory a run step replaced with a link.
        Optional<Path> policy = InsideRoot.throughDirectoriesOnly(root, POLICY_RC_D);
        if (policy.isPresent()) {
          Files.deleteIfExists(policy.get());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } finally {
      Mounts.unmountAllUnder(root.resolve("proc"));
      Mounts.unmountAllUnder(root.resolve("sys"));
      Mounts.unmountAllUnder(root.resolve("dev"));
      Mounts.unmountAllUnder(root.resolve("tmp"));
      Mounts.unmountAllUnder(root.resolve("run"));
      Mounts.unmountAllUnder(root.resolve("var/lib/apt/lists"));
      Mounts.unmountAllUnder(root.resolve("var/cache/apt/archives"));
      Mounts.unmountAllUnder(root.resolve("etc/resolv.conf"));
    }
  }
}
