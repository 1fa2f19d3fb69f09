package dev.appliance.runtime.engine;

import dev.appliance.common.ApplianceException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Makes an image's UML kernel runnable on this host without a UML package. Debian
 * sid's UML 7.2 needs glibc 2.38 or newer, older than many hosts have, and running
 * it through another loader ({@code ld.so --library-path}) breaks because UML
 * re-executes /proc/self/exe. So the kernel is copied next to the image's own
 * loader and C library and its ELF interpreter and run path are rewritten to
 * them (patchelf). The result is cached per image.
 */
public final class UmlKernel {
    /** Where a program's libraries live in a Debian amd64 image. */
    private static final List<String> LIBRARY_DIRS = List.of(
            "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib64", "/usr/lib64", "/lib", "/usr/lib");

    /** Reads files out of an image. */
    @FunctionalInterface
    public interface ImageFiles {
        /**
         * A host copy of the regular file at {@code pathInImage} (symbolic links
         * resolved inside the image's root), or empty when the image has none.
         */
        Optional<Path> fetch(String pathInImage) throws IOException;
    }

    private UmlKernel() {}

    /**
     * @param kernelInImage e.g. {@code /usr/bin/linux.uml}
     * @param dir           cache directory of this image's UML kernel; reused when complete
     * @return the runnable kernel
     */
    public static Path prepare(String kernelInImage, ImageFiles image, Path dir) {
        Path kernel = dir.resolve("linux.uml");
        if (Files.isExecutable(kernel)) {
            return kernel;
        }
        try {
            Files.createDirectories(dir.resolve("lib"));
            Path temp = dir.resolve("linux.uml.tmp");
            Files.copy(fetch(image, kernelInImage), temp, StandardCopyOption.REPLACE_EXISTING);
            String interpreter = HostCommands.run(List.of("patchelf", "--print-interpreter", temp.toString())).strip();
            List<String> needed = new ArrayList<>(HostCommands.run(List.of("patchelf", "--print-needed", temp.toString()))
                    .lines().map(String::strip).filter(s -> !s.isEmpty()).toList());
            Path loader = dir.resolve("lib").resolve(Path.of(interpreter).getFileName().toString());
            Files.copy(fetch(image, interpreter), loader, StandardCopyOption.REPLACE_EXISTING);
            for (String library : needed) {
                Files.copy(findLibrary(image, library), dir.resolve("lib").resolve(library), StandardCopyOption.REPLACE_EXISTING);
            }
            HostCommands.run(List.of("patchelf", "--set-interpreter", loader.toAbsolutePath().toString(),
                    "--set-rpath", dir.resolve("lib").toAbsolutePath().toString(), temp.toString()));
            temp.toFile().setExecutable(true);
            Files.move(temp, kernel, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            return kernel;
        } catch (IOException e) {
            throw new ApplianceException("cannot prepare the UML kernel " + kernelInImage + ": " + e.getMessage(), e);
        }
    }

    private static Path fetch(ImageFiles image, String path) throws IOException {
        return image.fetch(path).orElseThrow(() -> new ApplianceException("the image has no " + path
                + ", which its UML kernel needs"));
    }

    private static Path findLibrary(ImageFiles image, String name) throws IOException {
        for (String dir : LIBRARY_DIRS) {
            Optional<Path> found = image.fetch(dir + "/" + name);
            if (found.isPresent()) {
                return found.get();
            }
        }
        throw new ApplianceException("the image has no " + name + " (needed by its UML kernel) in " + LIBRARY_DIRS);
    }
}
