package dev.appliance.runtime.engine;

import dev.appliance.common.ApplianceException;
import dev.appliance.common.FileLocks;
import dev.appliance.runtime.disk.ElfFile;
import dev.appliance.runtime.disk.HostTool;
import dev.appliance.runtime.disk.ImageFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * Makes an image's UML kernel runnable on this host without a UML package. Debian sid's UML 7.2
 * needs glibc 2.38 or newer, newer than many hosts have, and running it through another loader
 * ({@code ld.so --library-path}) breaks because UML re-executes /proc/self/exe. So the kernel is
 * copied next to the image's own loader and libraries (taken out of the image by {@link
 * ImageFiles#extractProgram}) and its ELF interpreter and run path are rewritten to them with
 * patchelf. The result is self-contained and cached per image (and prepared again when the cache
 * was moved).
 */
public final class UmlKernel {
  private UmlKernel() {}

  /**
   * @param dir cache directory of this image's UML kernel; reused when complete
   * @return the runnable kernel
   */
  @SuppressWarnings("try") // the lock is held for the block, never used in it
  public static Path prepare(ImageFiles.Program program, Path dir) {
    if (program.interpreter() == null) {
      throw new ApplianceException(
          "the image's UML kernel is a static program: nothing to do, but"
              + " appliance expects Debian's dynamically linked linux.uml");
    }
    Path kernel = dir.resolve("linux.uml");
    Path lib = dir.resolve("lib").toAbsolutePath();
    Path loader = lib.resolve(program.interpreter().getFileName().toString());
    try {
      if (isPreparedFor(kernel, loader)) {
        return kernel;
      }
      // Runs of one image started at once would overwrite each other's files: one prepares, the
      // others wait and find it done.
      try (FileLocks.Held ignored = FileLocks.exclusive(dir.resolve(".prepare.lock"))) {
        if (!isPreparedFor(kernel, loader)) {
          prepareLocked(program, kernel, lib, loader);
        }
      }
      return kernel;
    } catch (IOException e) {
      throw new ApplianceException(
          "cannot prepare the image's UML kernel in " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * The kernel names its loader and libraries by absolute paths: one prepared in another place (a
   * home moved or copied) would look for them there, so it is prepared again.
   */
  private static boolean isPreparedFor(Path kernel, Path loader) throws IOException {
    return Files.isExecutable(kernel) && loader.toString().equals(ElfFile.interpreterOf(kernel));
  }

  /** Copies and patches the kernel; called with the preparation lock held. */
  private static void prepareLocked(ImageFiles.Program program, Path kernel, Path lib, Path loader)
      throws IOException {
    Path dir = kernel.getParent();
    Files.createDirectories(lib);
    Path temp = dir.resolve("linux.uml.tmp");
    Files.copy(program.program(), temp, StandardCopyOption.REPLACE_EXISTING);
    Files.copy(program.interpreter(), loader, StandardCopyOption.REPLACE_EXISTING);
    for (String library : program.libraries()) {
      Files.copy(
          program.libraryDir().resolve(library),
          lib.resolve(library),
          StandardCopyOption.REPLACE_EXISTING);
    }
    HostTool.run(
        List.of(
            "patchelf",
            "--set-interpreter",
            loader.toString(),
            "--set-rpath",
            lib.toString(),
            temp.toAbsolutePath().toString()),
        dir,
        HostTool.Options.SHORT);
    if (!temp.toFile().setExecutable(true)) {
      throw new IOException("cannot make " + temp + " executable");
    }
    Files.move(temp, kernel, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
