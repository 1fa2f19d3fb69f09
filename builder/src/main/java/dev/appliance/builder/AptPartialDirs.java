package dev.appliance.builder;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Set;

/**
 * apt's download directories ({@code partial} under its lists and its archives), set as apt itself
 * sets them when run as root: owned by its sandbox user {@code _apt} of the image's own passwd,
 * group root, mode 0700.
 *
 * <p>Why: mmdebstrap drives the host's apt, which creates and chowns them to the host's {@code
 * _apt} only when that user can reach the target directory; otherwise mmdebstrap sets {@code
 * APT::Sandbox::User "root"} and they stay uid 0. So their owner depended on the modes of the
 * directories above the build's home (root's {@code ~/.local/share} is 0700, a home in /var/tmp is
 * not) and on the host's uid for {@code _apt}: the same recipe gave two base layers (issue 13).
 */
final class AptPartialDirs {
  static final List<String> PATHS =
      List.of("var/lib/apt/lists/partial", "var/cache/apt/archives/partial");
  private static final Set<PosixFilePermission> MODE = PosixFilePermissions.fromString("rwx------");
  private static final String SANDBOX_USER = "_apt";

  private AptPartialDirs() {}

  /**
   * Creates each missing {@code partial} whose parent directory exists and sets owner and mode;
   * changes nothing already right, so an overlay's merged view copies nothing up. Paths with a
   * symbolic link on the way are left alone.
   */
  static void normalise(Path root) {
    int uid = sandboxUid(root);
    try {
      for (String relative : PATHS) {
        Path dir = root.resolve(relative);
        if (InsideRoot.linkOnTheWay(root, relative, true).isPresent()
            || !Files.isDirectory(dir.getParent(), LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
          Files.createDirectory(dir);
        } else if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        if (!Files.getPosixFilePermissions(dir, LinkOption.NOFOLLOW_LINKS).equals(MODE)) {
          Files.setPosixFilePermissions(dir, MODE);
        }
        if ((Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS) != uid
            || (Integer) Files.getAttribute(dir, "unix:gid", LinkOption.NOFOLLOW_LINKS) != 0) {
          Files.setAttribute(dir, "unix:uid", uid, LinkOption.NOFOLLOW_LINKS);
          Files.setAttribute(dir, "unix:gid", 0, LinkOption.NOFOLLOW_LINKS);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** {@code _apt}'s uid in the image's /etc/passwd; 0 (root, as apt then uses) when it has none. */
  static int sandboxUid(Path root) {
    try (InputStream in = InsideRoot.open(root, "etc/passwd");
        BufferedReader lines =
            new BufferedReader(new InputStreamReader(in, StandardCharsets.ISO_8859_1))) {
      for (String line = lines.readLine(); line != null; line = lines.readLine()) {
        String[] fields = line.split(":", -1);
        if (fields.length >= 3
            && fields[0].equals(SANDBOX_USER)
            && fields[2].matches("[0-9]{1,9}")) {
          return Integer.parseInt(fields[2]);
        }
      }
      return 0;
    } catch (NoSuchFileException e) {
      return 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
