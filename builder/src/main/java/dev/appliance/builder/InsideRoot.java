package dev.appliance.builder;

import dev.appliance.common.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Paths inside a root file system being built, reached from the host side. A run step runs as root
 * in the image and can put a symbolic link anywhere in it; followed outside the chroot, a link to
 * {@code /} or {@code /etc} leads onto the build host. So these walk a path one component at a time
 * from the root and never follow a link: a link on the way is refused (or, for clean-ups, the path
 * is left alone).
 */
final class InsideRoot {
  private InsideRoot() {}

  /**
   * The first component of {@code relative} (below {@code root}) that is a symbolic link, as {@code
   * /a/b (a symbolic link to T)}; the last component counts only when {@code includingLast}. Empty
   * when there is none (missing components end the walk).
   */
  static Optional<String> linkOnTheWay(Path root, String relative, boolean includingLast) {
    List<String> parts = components(relative);
    Path p = root;
    for (int i = 0; i < parts.size(); i++) {
      p = p.resolve(parts.get(i));
      if (i == parts.size() - 1 && !includingLast) {
        break;
      }
      if (Files.isSymbolicLink(p)) {
        return Optional.of("/" + root.relativize(p) + " (a symbolic link to " + target(p) + ")");
      }
      if (!Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
        break;
      }
    }
    return Optional.empty();
  }

  /**
   * {@code root/relative} when no directory on the way is a symbolic link (the last component may
   * be one).
   */
  static Optional<Path> throughDirectoriesOnly(Path root, String relative) {
    return linkOnTheWay(root, relative, false).isPresent()
        ? Optional.empty()
        : Optional.of(root.resolve(relative));
  }

  /**
   * An existing directory (or, when {@code file}, regular file) to mount on, reached without any
   * symbolic link, itself included.
   *
   * @throws InvalidInputException naming the link, or what is there instead
   */
  static Path mountPoint(Path root, String relative, boolean file) {
    Optional<String> link = linkOnTheWay(root, relative, true);
    if (link.isPresent()) {
      throw new InvalidInputException(
          link.get()
              + " is where the build mounts /"
              + relative
              + "; a build never mounts through a symbolic link, which could lead out of the image onto the build host");
    }
    Path p = root.resolve(relative);
    boolean right =
        file
            ? Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)
            : Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS);
    if (!right) {
      throw new InvalidInputException(
          "/"
              + relative
              + " in the image is not a "
              + (file ? "regular file" : "directory")
              + ": the build mounts there");
    }
    return p;
  }

  /**
   * Creates {@code relative}'s missing directories one at a time, refusing any symbolic link on the
   * way.
   */
  static Path createDirectories(Path root, String relative) {
    Path p = root;
    for (String part : components(relative)) {
      p = p.resolve(part);
      try {
        Files.createDirectory(p); // mkdir(2) never follows a link at its last component
      } catch (java.nio.file.FileAlreadyExistsException e) {
        // Checked below.
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      if (!Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
        throw new InvalidInputException(
            "/"
                + root.relativize(p)
                + " in the image is "
                + (Files.isSymbolicLink(p) ? "a symbolic link to " + target(p) : "not a directory")
                + ": the build needs a directory there and does not follow links out of the image");
      }
    }
    return p;
  }

  /**
   * Opens a regular file for reading through directory handles opened with O_NOFOLLOW (openat), so
   * that no link anywhere on the way is followed, even one planted after a check.
   *
   * @throws InvalidInputException when a component is a symbolic link
   */
  static InputStream open(Path root, String relative) throws IOException {
    List<String> parts = components(relative);
    List<SecureDirectoryStream<Path>> opened = new ArrayList<>();
    try {
      SecureDirectoryStream<Path> dir = secure(root);
      opened.add(dir);
      for (String part : parts.subList(0, parts.size() - 1)) {
        dir =
            refuseLink(
                root,
                relative,
                () -> dir(opened).newDirectoryStream(Path.of(part), LinkOption.NOFOLLOW_LINKS));
        opened.add(dir);
      }
      SecureDirectoryStream<Path> last = dir;
      return Channels.newInputStream(
          refuseLink(
              root,
              relative,
              () ->
                  last.newByteChannel(
                      Path.of(parts.get(parts.size() - 1)),
                      Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))));
    } finally {
      for (SecureDirectoryStream<Path> d : opened) {
        d.close(); // an open channel keeps its own descriptor
      }
    }
  }

  /** The directory stream of {@code dir}, which supports openat-style access on Linux. */
  static SecureDirectoryStream<Path> secure(Path dir) throws IOException {
    DirectoryStream<Path> stream = Files.newDirectoryStream(dir);
    if (stream instanceof SecureDirectoryStream<Path> secure) {
      return secure;
    }
    stream.close();
    throw new IOException("this platform cannot open files relative to a directory handle: " + dir);
  }

  private static SecureDirectoryStream<Path> dir(List<SecureDirectoryStream<Path>> opened) {
    return opened.get(opened.size() - 1);
  }

  private interface Opening<T> {
    T open() throws IOException;
  }

  private static <T> T refuseLink(Path root, String relative, Opening<T> opening)
      throws IOException {
    try {
      return opening.open();
    } catch (NoSuchFileException e) {
      throw e;
    } catch (IOException e) {
      // O_NOFOLLOW on a link fails with ELOOP (O_DIRECTORY|O_NOFOLLOW with ENOTDIR).
      Optional<String> link = linkOnTheWay(root, relative, true);
      if (link.isPresent()) {
        throw new InvalidInputException(
            link.get()
                + ": the build reads /"
                + relative
                + " from outside the image and does not follow symbolic links, which could lead onto the build host",
            e);
      }
      throw e;
    }
  }

  private static List<String> components(String relative) {
    List<String> parts = new ArrayList<>();
    for (String part : relative.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        throw new IllegalArgumentException("path inside the image with '..': " + relative);
      }
      parts.add(part);
    }
    if (parts.isEmpty()) {
      throw new IllegalArgumentException("empty path inside the image: '" + relative + "'");
    }
    return parts;
  }

  /**
   * The link's target for a message: written by a run step, so control characters are shown
   * escaped.
   */
  private static String target(Path link) {
    try {
      StringBuilder shown = new StringBuilder();
      Files.readSymbolicLink(link)
          .toString()
          .codePoints()
          .limit(256)
          .forEach(
              c ->
                  shown.append(
                      Character.isISOControl(c)
                          ? String.format("\\x%02x", c)
                          : Character.toString(c)));
      return shown.toString();
    } catch (IOException e) {
      return "?";
    }
  }
}
