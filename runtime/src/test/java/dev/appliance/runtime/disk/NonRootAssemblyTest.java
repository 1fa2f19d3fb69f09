package dev.appliance.runtime.disk;

import dev.appliance.common.HostTools;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipalLookupService;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

/**
 * Assembly as an ordinary user (uid 65534 via setpriv when the test runs as root)
 * gives the same owners, modes, devices, links and xattrs as assembly as root.
 */
class NonRootAssemblyTest {
    private static final int NOBODY = 65534;
    private static final List<String> PATHS = List.of("/", "/usr/bin/su", "/usr/bin/su-link", "/etc/gshadow-",
            "/home/alice", "/home/alice/notes", "/bin", "/etc/localtime", "/dev/null", "/dev/vda", "/dev/initctl",
            "/usr/bin/ping", "/usr/bin/gnu-ping");

    @TempDir
    Path tmp;

    @Test
    void nonRootAssemblyMatchesRootAssembly() throws Exception {
        // A directory the unprivileged user can read: the test's own temp dirs are private.
        Path shared = Files.createTempDirectory(Path.of("/tmp"), "disk-nonroot-");
        try {
            Files.setPosixFilePermissions(shared, PosixFilePermissions.fromString("rwxr-xr-x"));
            Path layer = DiskAssemblerTest.fidelityLayer().writeTo(shared.resolve("layer.tar.gz"));
            Path cache = Files.createDirectory(shared.resolve("cache"));
            boolean root = HostTools.isRoot();
            if (root) {
                UserPrincipalLookupService users = cache.getFileSystem().getUserPrincipalLookupService();
                Files.setOwner(cache, users.lookupPrincipalByName(Integer.toString(NOBODY)));
            }
            List<String> command = new ArrayList<>();
            if (root) {
                command.addAll(List.of("setpriv", "--reuid=" + NOBODY, "--regid=" + NOBODY, "--clear-groups"));
            }
            command.addAll(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-cp", readableClasspath(shared), AssembleMain.class.getName(),
                    cache.toString(), "sha256:0123", Long.toString(DiskAssemblerTest.SIZE), layer.toString()));
            HostTool.Result run = HostTool.runAllowingFailure(command, shared, Map.of("HOME", shared.toString()));
            assertEquals(0, run.exitCode(), run.stderr());
            Path userDisk = Path.of(run.stdout().strip());
            if (root) {
                assertEquals(NOBODY, (Integer) Files.getAttribute(userDisk, "unix:uid"), "built by the unprivileged user");
            } else {
                assertNotEquals(0, (Integer) Files.getAttribute(userDisk, "unix:uid"));
            }

            Debugfs user = new Debugfs(userDisk);
            assertEquals(0, user.fsck().exitCode(), user.fsck().stdout());
            DiskAssemblerTest.assertFidelity(user);

            Debugfs reference = new Debugfs(new DiskAssembler(tmp.resolve("cache")).assemble(
                    new ImageLayers("test:1", "sha256:0123", List.of(layer)), DiskAssemblerTest.SIZE));
            for (String path : PATHS) {
                assertEquals(comparable(reference.stat(path)), comparable(user.stat(path)), path);
            }
        } finally {
            StagingDirectory.deleteRecursively(shared);
        }
    }

    /** The stat without what differs between any two builds (inode numbers, times of change, checksums). */
    private static String comparable(Debugfs.Stat stat) {
        return stat.raw().lines()
                .filter(l -> !l.startsWith("Inode:") && !l.contains("ctime:") && !l.contains("atime:")
                        && !l.contains("crtime:") && !l.startsWith("Inode checksum") && !l.startsWith("(")
                        && !l.startsWith("EXTENTS") && !l.startsWith("Generation"))
                .reduce("", (a, b) -> a + b + "\n") + stat.type() + stat.mode() + stat.uid() + stat.gid() + stat.links();
    }

    /** Copies this JVM's class path where the other user can read it. */
    private static String readableClasspath(Path shared) throws IOException {
        Path dir = Files.createDirectory(shared.resolve("cp"));
        List<String> entries = new ArrayList<>();
        int n = 0;
        for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
            Path source = Path.of(entry);
            if (!Files.exists(source)) {
                continue;
            }
            Path copy = dir.resolve(n++ + "-" + source.getFileName());
            if (Files.isDirectory(source)) {
                try (var files = Files.walk(source)) {
                    for (Path p : (Iterable<Path>) files::iterator) {
                        Files.copy(p, copy.resolve(source.relativize(p).toString()));
                    }
                }
            } else {
                Files.copy(source, copy);
            }
            entries.add(copy.toString());
        }
        return String.join(File.pathSeparator, entries);
    }
}
