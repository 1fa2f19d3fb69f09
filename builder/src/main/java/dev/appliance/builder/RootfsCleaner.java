package dev.appliance.builder;

import dev.appliance.common.InvalidInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Removes what a package installation leaves behind that differs from one build to the next and
 * that the running system does not need: logs, apt's caches and lists, dpkg's and debconf's backup
 * files, the ldconfig auxiliary cache, man-db's index, Python byte code; and sets apt's {@code
 * partial} directories as apt does ({@link AptPartialDirs}). Runs on a root file system (or an
 * overlay's merged view, where a deletion of a lower file becomes a whiteout).
 */
final class RootfsCleaner {
  private static final List<String> FILES =
      List.of(
          "var/log/dpkg.log",
          "var/log/alternatives.log",
          "var/log/bootstrap.log",
          "var/cache/ldconfig/aux-cache",
          "var/cache/debconf/config.dat-old",
          "var/cache/debconf/templates.dat-old",
          "var/cache/debconf/passwords.dat-old",
          "var/lib/dpkg/status-old",
          "var/lib/dpkg/available-old",
          "var/lib/dpkg/diversions-old",
          "var/lib/dpkg/statoverride-old",
          "var/cache/apt/pkgcache.bin",
          "var/cache/apt/srcpkgcache.bin",
          "etc/apt/preferences.d/appliance-lock.pref",
          "etc/apt/apt.conf.d/99mmdebstrap",
          "etc/passwd-",
          "etc/group-",
          "etc/shadow-",
          "etc/gshadow-",
          "etc/subuid-",
          "etc/subgid-");
  private static final List<String> DIRECTORY_CONTENTS =
      List.of(
          "var/log/apt",
          "var/cache/man",
          "var/lib/apt/lists",
          "var/lib/apt/lists/partial",
          "var/cache/apt/archives/partial");

  private RootfsCleaner() {}

  static void clean(Path root) {
    // Nothing is deleted through a symbolic link: a run step may have made /var/log a link to the
    // host's.
    try {
      for (String f : FILES) {
        Optional<Path> file = InsideRoot.throughDirectoriesOnly(root, f);
        if (file.isPresent()) {
          Files.deleteIfExists(file.get());
        }
      }
      for (String d : DIRECTORY_CONTENTS) {
        Path dir = root.resolve(d);
        if (InsideRoot.linkOnTheWay(root, d, true).isEmpty()
            && Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
          deleteChildren(dir, Set.of("partial", "lock"));
        }
      }
      AptPartialDirs.normalise(root);
      Path usrLib = root.resolve("usr/lib");
      if (InsideRoot.linkOnTheWay(root, "usr/lib", true).isEmpty()
          && Files.isDirectory(usrLib, LinkOption.NOFOLLOW_LINKS)) {
        Processes.run(
            List.of(
                "find",
                usrLib.toString(),
                "-xdev",
                "-path",
                "*/python3*",
                "-name",
                "__pycache__",
                "-type",
                "d",
                "-prune",
                "-exec",
                "rm",
                "-rf",
                "{}",
                "+"),
            Map.of(),
            null,
            l -> {},
            false);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Empties a recipe's {@code state-dirs} (absolute paths in the image), keeping each directory
   * itself with its owner and mode. A path whose directories include a symbolic link is refused:
   * resolved here, outside a chroot, it could lead onto the build host.
   */
  static void emptyStateDirs(Path root, List<String> stateDirs) {
    for (String stateDir : stateDirs) {
      Path dir = root;
      for (Path part : Path.of(stateDir.substring(1))) {
        dir = dir.resolve(part);
        if (Files.isSymbolicLink(dir)) {
          throw new InvalidInputException(
              "state-dirs: "
                  + stateDir
                  + " is reached through the symbolic link /"
                  + root.relativize(dir)
                  + " in the image; name the directory it leads to");
        }
      }
      if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        try {
          deleteChildren(dir, Set.of());
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      } else if (Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
        throw new InvalidInputException(
            "state-dirs: " + stateDir + " is not a directory in the image");
      }
    }
  }

  private static void deleteChildren(Path dir, Set<String> keep) throws IOException {
    try (DirectoryStream<Path> children = Files.newDirectoryStream(dir)) {
      for (Path child : children) {
        if (!keep.contains(child.getFileName().toString())) {
          Processes.check(List.of("rm", "-rf", "--one-file-system", child.toString()));
        }
      }
    }
  }

  /** Settings from the host that mmdebstrap copies in and that must not travel with the image. */
  static void resetHostFiles(Path root) {
    try {
      Path resolv = root.resolve("etc/resolv.conf");
      if (Files.isRegularFile(resolv, LinkOption.NOFOLLOW_LINKS)) {
        Files.writeString(resolv, "");
      }
      Path hostname = root.resolve("etc/hostname");
      if (Files.isRegularFile(hostname, LinkOption.NOFOLLOW_LINKS)) {
        Files.writeString(hostname, "localhost\n");
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
