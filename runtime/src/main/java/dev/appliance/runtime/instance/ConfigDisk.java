package dev.appliance.runtime.instance;

import dev.appliance.common.ApplianceException;
import dev.appliance.runtime.disk.HostTool;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The small ext4 disk, labelled {@value #LABEL}, through which first-boot
 * parameters, secrets, volumes and network settings reach the guest: never
 * through the image, the kernel command line or a process's arguments. The guest
 * side is recipes/base/files/appliance-firstboot; docs/operations.md documents
 * the layout. Files are 0600 while staged, the disk itself 0600.
 */
public final class ConfigDisk {
    static final String LABEL = "appliance-cfg";
    /** The DNS proxy of the user-mode network (slirp). */
    static final String RESOLV_CONF = "nameserver 10.0.2.3\n";

    private ConfigDisk() {}

    /**
     * Kernel argument telling the guest's appliance-firstboot that a config disk
     * is attached, so it waits for it; without it (an exported disk booted
     * elsewhere) the guest does not spend boot time looking for one. Not secret.
     */
    static final String KERNEL_FLAG = "appliance.config=disk";

    static String announce(String kernelCmdline) {
        return (kernelCmdline + " " + KERNEL_FLAG).strip();
    }

    static void write(Path disk, String hostname, Map<String, String> params, Map<String, byte[]> secrets,
                      List<InstanceSpec.VolumeMount> volumes) {
        StringBuilder lines = new StringBuilder();
        volumes.forEach(v -> lines.append(v.uuid()).append(' ').append(v.guestPath()).append('\n'));
        Map<String, byte[]> topLevel = new LinkedHashMap<>();
        topLevel.put("hostname", (hostname + "\n").getBytes(StandardCharsets.UTF_8));
        topLevel.put("resolv.conf", RESOLV_CONF.getBytes(StandardCharsets.UTF_8));
        topLevel.put("volumes", lines.toString().getBytes(StandardCharsets.UTF_8));
        writeDisk(disk, topLevel, params, secrets);
    }

    /**
     * A config disk for an exported appliance booted elsewhere: parameters and
     * secrets only (its hypervisor brings its own network and host name).
     */
    public static void writeForExport(Path disk, Map<String, String> params, Map<String, byte[]> secrets) {
        writeDisk(disk, Map.of(), params, secrets);
    }

    private static void writeDisk(Path disk, Map<String, byte[]> topLevel, Map<String, String> params,
                                  Map<String, byte[]> secrets) {
        Path staging = disk.resolveSibling(".config-staging");
        try {
            deleteTree(staging);
            Files.createDirectory(staging, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
            for (Map.Entry<String, byte[]> f : topLevel.entrySet()) {
                writePrivate(staging.resolve(f.getKey()), f.getValue());
            }
            Files.createDirectory(staging.resolve("params"));
            for (Map.Entry<String, String> p : params.entrySet()) {
                writePrivate(staging.resolve("params").resolve(p.getKey()), p.getValue().getBytes(StandardCharsets.UTF_8));
            }
            Files.createDirectory(staging.resolve("secrets"));
            for (Map.Entry<String, byte[]> s : secrets.entrySet()) {
                writePrivate(staging.resolve("secrets").resolve(s.getKey()), s.getValue());
            }
            Files.deleteIfExists(disk);
            Files.createFile(disk, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
            HostTool.run(List.of("mke2fs", "-q", "-F", "-t", "ext4", "-L", LABEL, "-E", "root_owner=0:0",
                    "-d", staging.toAbsolutePath().toString(), disk.toAbsolutePath().toString(),
                    sizeMiB(params, secrets) + "M"), disk.toAbsolutePath().getParent(), HostTool.Options.SHORT);
        } catch (IOException e) {
            throw new ApplianceException("cannot write the config disk " + disk + ": " + e.getMessage(), e);
        } finally {
            deleteTree(staging);
        }
    }

    /**
     * 8 MiB holds the usual few small files; a large value (a rules file given with
     * --param-file) gets twice its size on top, for ext4's metadata and journal.
     */
    static long sizeMiB(Map<String, String> params, Map<String, byte[]> secrets) {
        long bytes = 0;
        for (String value : params.values()) {
            bytes += value.getBytes(StandardCharsets.UTF_8).length;
        }
        for (byte[] value : secrets.values()) {
            bytes += value.length;
        }
        return 8 + ((2 * bytes) >> 20);
    }

    private static void writePrivate(Path file, byte[] content) throws IOException {
        Files.createFile(file, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
        Files.write(file, content);
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (IOException e) {
            throw new ApplianceException("cannot delete " + root + ": " + e.getMessage(), e);
        }
    }
}
