package dev.appliance.build;

import dev.appliance.oci.ApplianceMetadata;
import dev.appliance.recipe.Recipe;
import dev.appliance.common.ApplianceException;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;

/** The kernels inside a root file system, and the link UML's modules need. */
final class KernelFiles {
    static final String UML_KERNEL = "/usr/bin/linux.uml";

    private KernelFiles() {}

    /**
     * Debian's user-mode-linux installs its modules under /usr/lib/uml/modules/VER,
     * but the guest kernel looks in /lib/modules/VER: link each version there.
     */
    static void linkUmlModules(Path root) {
        List<String> versions = RootfsSteps.list(root.resolve("usr/lib/uml/modules"));
        if (versions.isEmpty()) {
            return;
        }
        try {
            // /lib is usually a link to usr/lib (merged /usr): then the modules directory is usr/lib/modules.
            Path modules = Files.isSymbolicLink(root.resolve("lib")) ? root.resolve("usr/lib/modules") : root.resolve("lib/modules");
            if (!Files.isDirectory(modules)) {
                Processes.check(List.of("mkdir", "-p", "-m", "0755", modules.toString()));
            }
            for (String version : versions) {
                Path link = modules.resolve(version);
                if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
                    Path target = modules.getParent().equals(root.resolve("usr/lib"))
                            ? Path.of("../uml/modules", version) : Path.of("/usr/lib/uml/modules", version);
                    Files.createSymbolicLink(link, target);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Where the kernels the recipe asks for are, as absolute paths inside the image with links resolved. */
    static ApplianceMetadata.Kernels find(Path root, Recipe.Kernels wanted) {
        String qemuKernel = null;
        String qemuInitrd = null;
        String uml = null;
        if (wanted != null && wanted.qemu() != null) {
            qemuKernel = resolve(root, "/vmlinuz");
            qemuInitrd = resolve(root, "/initrd.img");
            if (qemuKernel == null) {
                qemuKernel = newest(root, "vmlinuz-");
                qemuInitrd = newest(root, "initrd.img-");
            }
            if (qemuKernel == null) {
                throw new ApplianceException("the image has no kernel under /boot although the recipe installs "
                        + wanted.qemu());
            }
        }
        if (wanted != null && wanted.uml() != null) {
            uml = resolve(root, UML_KERNEL);
            if (uml == null) {
                throw new ApplianceException("the image has no " + UML_KERNEL + " although the recipe installs " + wanted.uml());
            }
        }
        return new ApplianceMetadata.Kernels(qemuKernel, qemuInitrd, uml);
    }

    private static String newest(Path root, String prefix) {
        return RootfsSteps.list(root.resolve("boot")).stream().filter(n -> n.startsWith(prefix))
                .reduce((a, b) -> b).map(n -> "/boot/" + n).orElse(null);
    }

    /** Follows symbolic links inside the image (never out of it); null when the path does not exist. */
    static String resolve(Path root, String path) {
        String current = Path.of(path).normalize().toString();
        for (int hops = 0; hops < 16; hops++) {
            Path p = root.resolve(current.substring(1));
            if (Files.isSymbolicLink(p)) {
                try {
                    String target = Files.readSymbolicLink(p).toString();
                    Path parent = Path.of(current).getParent();
                    current = target.startsWith("/") ? Path.of(target).normalize().toString()
                            : Path.of("/").resolve(parent == null ? Path.of("/") : parent).resolve(target).normalize().toString();
                    if (!current.startsWith("/")) {
                        current = "/" + current;
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            } else {
                return Files.exists(p, LinkOption.NOFOLLOW_LINKS) ? current : null;
            }
        }
        return null;
    }
}
