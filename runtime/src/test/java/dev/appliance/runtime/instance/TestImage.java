package dev.appliance.runtime.instance;

import dev.appliance.oci.ApplianceMetadata;
import dev.appliance.runtime.engine.BootSpec;
import dev.appliance.runtime.engine.HostCommands;
import dev.appliance.runtime.engine.UmlKernel;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The small real appliance the runtime tests boot, built with mmdebstrap by
 * src/test/resources/test-image/make-test-image.sh (trixie, systemd, cloud
 * kernel, UML 7.2 from sid, the runtime's guest files from recipes/base/files,
 * a busybox web server showing parameters, secrets and boots). Built once per
 * script version and cached under /var/tmp, because it takes about a minute;
 * the disk is rebuilt when a guest file changes. Needs root (mmdebstrap, mke2fs -d).
 */
final class TestImage {
    static final Path REPO = Path.of(System.getProperty("user.dir")).getParent();
    private static final Path SCRIPT = Path.of("src/test/resources/test-image/make-test-image.sh").toAbsolutePath();
    private static BootImage image;

    private TestImage() {}

    static synchronized BootImage get() throws IOException {
        if (image != null) {
            return image;
        }
        Path out = Path.of("/var/tmp/appliance-runtime-test-" + hash(List.of(SCRIPT)).substring(0, 12));
        Path base = out.resolve("base.img");
        List<Path> guestFiles;
        try (Stream<Path> files = Files.list(REPO.resolve("recipes/base/files"))) {
            guestFiles = files.sorted().toList();
        }
        String guestHash = hash(guestFiles);
        Path stamp = out.resolve("guest-files.sha256");
        if (!Files.exists(base) || !Files.exists(stamp) || !Files.readString(stamp).equals(guestHash)) {
            HostCommands.run(List.of("sh", SCRIPT.toString(), REPO.toString(), out.toString()));
            Files.writeString(stamp, guestHash);
        }
        Path rootfs = out.resolve("rootfs");
        Path vmlinuz;
        Path initrd;
        try (Stream<Path> boot = Files.list(rootfs.resolve("boot"))) {
            List<Path> files = boot.sorted().toList();
            vmlinuz = files.stream().filter(p -> p.getFileName().toString().startsWith("vmlinuz-")).findFirst().orElseThrow();
            initrd = files.stream().filter(p -> p.getFileName().toString().startsWith("initrd.img-")).findFirst().orElseThrow();
        }
        Path uml = UmlKernel.prepare("/usr/bin/linux.uml", path -> inRoot(rootfs, path), out.resolve("uml-" + guestHash.substring(0, 8)));
        ApplianceMetadata meta = new ApplianceMetadata("runtime-test", "1",
                List.of(new ApplianceMetadata.Port("http", 80, "tcp")),
                new ApplianceMetadata.HealthCheck("http", 80, "/healthz", 200, 180),
                256, 1, 1L << 30,
                new ApplianceMetadata.Kernels("/boot/" + vmlinuz.getFileName(), "/boot/" + initrd.getFileName(), "/usr/bin/linux.uml"),
                "",
                List.of(new ApplianceMetadata.Param("greeting", "hello", false, "shown at /greeting"),
                        new ApplianceMetadata.Param("token", null, true, "its length is shown at /secret-bytes")));
        image = new BootImage("runtime-test:1", "sha256:" + hash(List.of(base)).substring(0, 64), meta, base,
                new BootSpec.Kernels(vmlinuz, initrd, uml));
        return image;
    }

    static BootImageResolver resolver() {
        return (reference, progress) -> {
            try {
                return get();
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        };
    }

    /** Resolves {@code path} inside {@code root}, following symbolic links relative to the root, not the host. */
    static Optional<Path> inRoot(Path root, String path) throws IOException {
        Path current = root;
        List<String> parts = new java.util.ArrayList<>(List.of(path.replaceFirst("^/+", "").split("/")));
        int hops = 0;
        while (!parts.isEmpty()) {
            String part = parts.remove(0);
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            Path next = part.equals("..") ? (current.equals(root) ? root : current.getParent()) : current.resolve(part);
            if (Files.isSymbolicLink(next)) {
                if (++hops > 40) {
                    return Optional.empty();
                }
                String target = Files.readSymbolicLink(next).toString();
                List<String> rest = new java.util.ArrayList<>(List.of(target.split("/")));
                rest.addAll(parts);
                parts = rest;
                if (target.startsWith("/")) {
                    current = root;
                }
                continue;
            }
            current = next;
        }
        return Files.isRegularFile(current, LinkOption.NOFOLLOW_LINKS) ? Optional.of(current) : Optional.empty();
    }

    /** Content hash of small files; of a big disk, only its size and mtime (cheap, changes on rebuild). */
    private static String hash(List<Path> files) throws IOException {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Path f : files) {
                sha.update(f.getFileName().toString().getBytes());
                if (Files.size(f) > (1 << 20)) {
                    sha.update((Files.size(f) + "@" + Files.getLastModifiedTime(f).toMillis()).getBytes());
                } else {
                    sha.update(Files.readAllBytes(f));
                }
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
