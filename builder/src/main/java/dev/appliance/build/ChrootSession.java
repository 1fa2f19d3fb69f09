package dev.appliance.build;

import dev.appliance.common.ApplianceException;
import dev.appliance.common.HostTools;
import dev.appliance.recipe.Recipe;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a recipe's steps inside a root file system: apt-get install, groups and
 * users, files, run steps, systemctl enable/disable. While open, /proc, /sys and
 * /dev are mounted, /tmp and /run are tmpfs, apt's lists and archives are bound
 * to the shared caches and the host's resolv.conf is bound in, so none of that
 * ends up in a layer. Services are kept from starting with policy-rc.d.
 */
final class ChrootSession implements AutoCloseable {
    private static final String POLICY_RC_D = "usr/sbin/policy-rc.d";

    private final Path root;
    private final BuildEnvironment env;
    private final boolean createdPolicy;

    ChrootSession(Path root, BuildEnvironment env) {
        this.root = root;
        this.env = env;
        try {
            Mounts.mount("-t", "proc", "proc", root.resolve("proc").toString());
            Mounts.sysfs(root.resolve("sys"));
            Mounts.bindHost("/dev", root.resolve("dev"));
            Mounts.mount("-t", "tmpfs", "tmpfs", root.resolve("tmp").toString());
            Mounts.mount("-t", "tmpfs", "tmpfs", root.resolve("run").toString());
            bindInto(env.aptLists(), "var/lib/apt/lists");
            bindInto(env.debCache(), "var/cache/apt/archives");
            Path resolv = root.resolve("etc/resolv.conf");
            if (Files.isRegularFile(resolv, LinkOption.NOFOLLOW_LINKS) && Files.isRegularFile(Path.of("/etc/resolv.conf"))) {
                Mounts.mount("--bind", "/etc/resolv.conf", resolv.toString());
            }
            Path policy = root.resolve(POLICY_RC_D);
            createdPolicy = !Files.exists(policy, LinkOption.NOFOLLOW_LINKS);
            if (createdPolicy) {
                Files.writeString(policy, "#!/bin/sh\n# appliance build: do not start services\nexit 101\n");
                Processes.check(List.of("chmod", "0755", policy.toString()));
            }
        } catch (IOException | RuntimeException e) {
            Mounts.unmountAllUnder(root);
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    private void bindInto(Path hostDir, String inside) throws IOException {
        Files.createDirectories(hostDir);
        Path target = root.resolve(inside);
        Files.createDirectories(target);
        Mounts.mount("--bind", hostDir.toString(), target.toString());
    }

    /** A command run in the chroot, with a reproducible environment. */
    Processes.Result chroot(List<String> command) {
        List<String> full = new ArrayList<>(List.of("chroot", root.toString()));
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

    /** apt-get with the build's settings, then {@code options} (this call's own -o pairs) and {@code args}. */
    private List<String> aptGet(List<String> options, List<String> args) {
        // apt's binary cache lives on this session's tmpfs /tmp (shared by update and install, never
        // in a layer); dpkg skips its per-file fsync as mmdebstrap does: a crashed step's layer is discarded anyway.
        List<String> command = new ArrayList<>(List.of("apt-get", "-q", "-y",
                "-o", "Dir::Cache::pkgcache=/tmp/apt-pkgcache.bin", "-o", "Dir::Cache::srcpkgcache=/tmp/apt-srcpkgcache.bin",
                "-o", "APT::Install-Recommends=false", "-o", "Dpkg::Use-Pty=false",
                // Package descriptions' translations: no use in an appliance, and 14 MB per update.
                "-o", "Acquire::Languages=none",
                "-o", "Dpkg::Options::=--force-unsafe-io"));
        for (String option : env.aptOptions()) {
            command.add("-o");
            command.add(option);
        }
        command.addAll(options);
        command.addAll(args);
        return command;
    }

    /**
     * apt-get update and install; returns the result so the caller can explain a
     * failure. A lock's pins go to a preferences file on this session's tmpfs /tmp,
     * so a locked build's layer is the same as an unlocked one that installed the
     * same versions (no /etc/apt/preferences.d copied up into it).
     * {@code cachedDebs}, when not empty, is an extra apt source for this call only.
     * {@code update} is false when the shared lists are fresh from this build's own
     * mmdebstrap or apt run; the cached .deb source is always indexed.
     */
    Processes.Result install(List<String> packages, String lockPreferences, CachedDebRepository cachedDebs,
                             boolean update) {
        List<String> options = new ArrayList<>();
        try {
            if (lockPreferences != null) {
                Files.writeString(root.resolve("tmp/appliance-lock.pref"), lockPreferences);
                options.addAll(List.of("-o", "Dir::Etc::Preferences=/tmp/appliance-lock.pref"));
            }
            if (!cachedDebs.isEmpty()) {
                options.addAll(mountCachedDebs(cachedDebs));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        if (update || !cachedDebs.isEmpty()) {
            Processes.Result updated = chroot(aptGet(options, List.of("update")));
            if (updated.exitCode() != 0) {
                return updated;
            }
        }
        List<String> install = new ArrayList<>(List.of("install"));
        install.addAll(packages);
        return chroot(aptGet(options, install));
    }

    /**
     * Mounts the repository read-only on this session's tmpfs /tmp and returns the apt
     * options that add it as a source: a source list on the same tmpfs holding the
     * image's own sources.list plus the repository. The image's apt configuration
     * is not touched, so nothing of it can reach the layer.
     */
    private List<String> mountCachedDebs(CachedDebRepository cachedDebs) throws IOException {
        Path mountPoint = root.resolve(CachedDebRepository.MOUNT_POINT.substring(1));
        Files.createDirectories(mountPoint);
        Mounts.mount("-o", "ro,bind", cachedDebs.dir().toString(), mountPoint.toString());
        String sourceList = "/tmp/appliance-sources.list";
        // Read inside the chroot, so a link in the image resolves within the image.
        check(List.of("sh", "-c", "{ cat /etc/apt/sources.list 2>/dev/null || true; echo \"$1\"; } > " + sourceList,
                "sh", CachedDebRepository.sourceLine(CachedDebRepository.MOUNT_POINT)), "adding the cached .deb source");
        return List.of("-o", "Dir::Etc::SourceList=" + sourceList);
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
                check(List.of("groupadd", user.system() ? "--system" : "-f", user.group()), recipe + ": group " + user.group());
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
     * Installs a recipe file with its mode and owner. The copy is made by
     * install(1) inside the chroot, so a symbolic link in the image on the way to
     * the destination (such as /var/run -> /run) resolves inside the image and
     * never onto the host.
     */
    void installFile(Recipe.FileEntry file, Path recipe) {
        String staged = "appliance-file-" + java.util.UUID.randomUUID();
        Path stagedOnHost = root.resolve("tmp").resolve(staged); // /tmp is this session's own tmpfs
        try {
            Files.copy(file.source(), stagedOnHost);
            check(List.of("install", "-D", "-m", Integer.toOctalString(file.mode()),
                    "-o", file.owner() == null ? "root" : file.owner(),
                    "-g", file.group() == null ? "root" : file.group(),
                    "/tmp/" + staged, file.dest()), recipe + ": file " + file.dest());
        } catch (IOException e) {
            throw new ApplianceException(recipe + ": cannot install " + file.source() + " as " + file.dest() + ": " + e.getMessage(), e);
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
            throw new ApplianceException(recipe + ": run step " + index + " failed with exit code " + result.exitCode()
                    + ":\n  " + step.command() + "\noutput (last lines):\n" + result.tail());
        }
    }

    void services(Recipe.Services services, Path recipe) {
        for (String unit : services.enable()) {
            check(List.of("systemctl", "enable", unit), recipe + ": enabling service " + unit);
        }
        for (String unit : services.disable()) {
            check(List.of("systemctl", "disable", unit), recipe + ": disabling service " + unit);
        }
    }

    private boolean exists(String... command) {
        return chroot(List.of(command)).exitCode() == 0;
    }

    private void check(List<String> command, String what) {
        Processes.Result result = chroot(command);
        if (result.exitCode() != 0) {
            throw new ApplianceException(what + ": " + String.join(" ", command) + " failed with exit code "
                    + result.exitCode() + ":\n" + result.tail());
        }
    }

    @Override
    public void close() {
        try {
            if (createdPolicy) {
                Files.deleteIfExists(root.resolve(POLICY_RC_D));
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
