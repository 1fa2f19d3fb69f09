package dev.appliance.build.host;

import dev.appliance.common.HostCheck;
import dev.appliance.common.HostTools;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The builder's prerequisites on this host: mmdebstrap, the privileges it needs
 * (root, or user namespaces for its unshare mode), overlayfs, and a Debian mirror
 * in the host's apt sources. Reports gaps; never fails because of one.
 */
public final class BuilderHostChecks {
    private final Path aptDir;
    private final Path filesystems;

    public BuilderHostChecks() {
        this(Path.of("/etc/apt"), Path.of("/proc/filesystems"));
    }

    BuilderHostChecks(Path aptDir, Path filesystems) {
        this.aptDir = aptDir;
        this.filesystems = filesystems;
    }

    public List<HostCheck> run() {
        return List.of(
                HostTools.tool("builder.mmdebstrap", "mmdebstrap", "mmdebstrap", "create Debian root file systems"),
                privileges(),
                overlayfs(),
                aptMirror());
    }

    private static HostCheck privileges() {
        if (HostTools.isRoot()) {
            return HostCheck.ok("builder.privileges", "running as root: mmdebstrap's root mode");
        }
        String user = System.getProperty("user.name");
        List<String> gaps = new ArrayList<>();
        List<String> fixes = new ArrayList<>();
        if (!userNamespacesWork()) {
            gaps.add("unprivileged user namespaces do not work (unshare --user --map-root-user failed)");
            fixes.add(HostTools.asRoot("sysctl -w kernel.unprivileged_userns_clone=1 user.max_user_namespaces=15000"));
        }
        if (HostTools.find("newuidmap").isEmpty()) {
            gaps.add("newuidmap is missing");
            fixes.add(HostTools.aptInstall("uidmap"));
        }
        if (!hasSubordinateIds(Path.of("/etc/subuid"), user)) {
            gaps.add("no subordinate uid range for " + user + " in /etc/subuid");
            fixes.add(HostTools.asRoot("usermod --add-subuids 100000-165535 --add-subgids 100000-165535 " + user));
        }
        if (gaps.isEmpty()) {
            return HostCheck.ok("builder.privileges", "not root, but user namespaces work: mmdebstrap's unshare mode");
        }
        return HostCheck.gap("builder.privileges", "not root and " + String.join("; ", gaps),
                "run as root, or: " + String.join(" && ", fixes));
    }

    private HostCheck overlayfs() {
        try {
            boolean present = Files.readAllLines(filesystems).stream()
                    .anyMatch(line -> List.of(line.strip().split("\\s+")).contains("overlay"));
            if (present) {
                return HostCheck.ok("builder.overlayfs", "overlay file system available");
            }
        } catch (IOException e) {
            return HostCheck.gap("builder.overlayfs", "cannot read " + filesystems + ": " + e.getMessage(),
                    HostTools.asRoot("modprobe overlay"));
        }
        return HostCheck.gap("builder.overlayfs", "the kernel does not list overlay in " + filesystems,
                HostTools.asRoot("modprobe overlay"));
    }

    private HostCheck aptMirror() {
        Optional<String> mirror = debianMirror();
        return mirror
                .map(uri -> HostCheck.ok("builder.debian-mirror", uri + " (from the host's apt sources)"))
                .orElseGet(() -> HostCheck.gap("builder.debian-mirror",
                        "no Debian mirror in " + aptDir.resolve("sources.list") + " or "
                                + aptDir.resolve("sources.list.d"),
                        "add your mirror to " + aptDir.resolve("sources.list.d/debian.sources")
                                + " (deb822 URIs: line), or name one in the recipe"));
    }

    /** The first non-security archive URI, as apt would read it (deb822 files and one-line lists). */
    Optional<String> debianMirror() {
        List<Path> files = new ArrayList<>();
        files.add(aptDir.resolve("sources.list"));
        try (DirectoryStream<Path> dir = Files.newDirectoryStream(aptDir.resolve("sources.list.d"), "*.{sources,list}")) {
            dir.forEach(files::add);
        } catch (IOException e) {
            // No sources.list.d: sources.list alone.
        }
        for (Path file : files.stream().sorted().toList()) {
            Optional<String> uri = firstArchiveUri(file);
            if (uri.isPresent()) {
                return uri;
            }
        }
        return Optional.empty();
    }

    private static Optional<String> firstArchiveUri(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            return Optional.empty();
        }
        for (String raw : lines) {
            String line = raw.strip();
            List<String> words = new ArrayList<>(List.of(line.split("\\s+")));
            if (line.startsWith("URIs:")) {
                words.remove(0);
            } else if (line.startsWith("deb ")) {
                // "deb [options] uri suite components": the uri is the first word after the options.
                words.remove(0);
                if (!words.isEmpty() && words.get(0).startsWith("[")) {
                    while (!words.isEmpty() && !words.remove(0).endsWith("]")) {
                        // skip the options
                    }
                }
                words = words.isEmpty() ? words : List.of(words.get(0));
            } else {
                continue;
            }
            Optional<String> uri = words.stream().filter(w -> !w.contains("security")).findFirst();
            if (uri.isPresent()) {
                return uri;
            }
        }
        return Optional.empty();
    }

    private static boolean userNamespacesWork() {
        try {
            Process process = new ProcessBuilder("unshare", "--user", "--map-root-user", "true")
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                return false;
            }
            return process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static boolean hasSubordinateIds(Path subuid, String user) {
        try {
            return Files.readAllLines(subuid).stream().anyMatch(line -> line.startsWith(user + ":"));
        } catch (IOException e) {
            return false;
        }
    }
}
