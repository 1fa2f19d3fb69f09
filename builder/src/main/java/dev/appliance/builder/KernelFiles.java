package dev.appliance.builder;

import dev.appliance.common.ApplianceException;
import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.ApplianceMetadata;
import dev.appliance.recipe.Recipe;
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
   * Debian's user-mode-linux installs its modules under /usr/lib/uml/modules/VER, but the guest
   * kernel looks in /lib/modules/VER: link each version there.
   */
  static void linkUmlModules(Path root) {
    // Listed only when no link is on the way: the names must be the image's, not a host
    // directory's.
    List<String> versions =
        InsideRoot.linkOnTheWay(root, "usr/lib/uml/modules", true).isPresent()
            ? List.of()
            : RootfsSteps.list(root.resolve("usr/lib/uml/modules"));
    if (versions.isEmpty()) {
      return;
    }
    try {
      // /lib is usually a link to usr/lib (merged /usr): then the modules directory is
      // usr/lib/modules.
      String modulesInImage =
          Files.isSymbolicLink(root.resolve("lib")) ? "usr/lib/modules" : "lib/modules";
      // Written from the host side: never through a link a package script left on the way.
      InsideRoot.linkOnTheWay(root, modulesInImage, true)
          .ifPresent(
              link -> {
                throw new InvalidInputException(
                    link
                        + ": the build links UML's modules into /"
                        + modulesInImage
                        + " and does not follow links out of the image");
              });
      Path modules = root.resolve(modulesInImage);
      if (!Files.isDirectory(modules, LinkOption.NOFOLLOW_LINKS)) {
        Processes.check(List.of("mkdir", "-p", "-m", "0755", modules.toString()));
      }
      for (String version : versions) {
        Path link = modules.resolve(version);
        if (!Files.exists(link, LinkOption.NOFOLLOW_LINKS)) {
          Path target =
              modules.getParent().equals(root.resolve("usr/lib"))
                  ? Path.of("../uml/modules", version)
                  : Path.of("/usr/lib/uml/modules", version);
          Files.createSymbolicLink(link, target);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Where the kernels the recipe asks for are, as absolute paths inside the image with links
   * resolved.
   */
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
        throw new ApplianceException(
            "the image has no kernel under /boot although the recipe installs " + wanted.qemu());
      }
    }
    if (wanted != null && wanted.uml() != null) {
      uml = resolve(root, UML_KERNEL);
      if (uml == null) {
        throw new ApplianceException(
            "the image has no " + UML_KERNEL + " although the recipe installs " + wanted.uml());
      }
    }
    return new ApplianceMetadata.Kernels(qemuKernel, qemuInitrd, uml);
  }

  private static String newest(Path root, String prefix) {
    return RootfsSteps.list(root.resolve("boot")).stream()
        .filter(n -> n.startsWith(prefix))
        .reduce((a, b) -> b)
        .map(n -> "/boot/" + n)
        .orElse(null);
  }

  /**
   * Follows symbolic links inside the image (never out of it), one component at a time, so that no
   * link is ever followed by the host; null when the path does not exist or the links loop.
   */
  static String resolve(Path root, String path) {
    java.util.Deque<String> todo = new java.util.ArrayDeque<>(List.of(path.split("/")));
    List<String> done = new java.util.ArrayList<>();
    int links = 0;
    while (!todo.isEmpty()) {
      String part = todo.removeFirst();
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (!done.isEmpty()) {
          done.remove(done.size() - 1);
        }
        continue;
      }
      Path p =
          root.resolve(String.join("/", done))
              .resolve(part); // every part of done is a real directory
      if (Files.isSymbolicLink(p)) {
        if (++links > 40) {
          return null;
        }
        String target;
        try {
          target = Files.readSymbolicLink(p).toString();
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        if (target.startsWith("/")) {
          done.clear();
        }
        List<String> parts = List.of(target.split("/"));
        for (int i = parts.size() - 1; i >= 0; i--) {
          todo.addFirst(parts.get(i));
        }
      } else if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
        done.add(part);
      } else {
        return null;
      }
    }
    return "/" + String.join("/", done);
  }
}
