package dev.appliance.builder;

import dev.appliance.common.ApplianceException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.List;
import java.util.Optional;

/**
 * Downloaded .deb files. apt downloads straight into this directory (it is bound to
 * /var/cache/apt/archives during a build) under apt's own file names, and apt verifies a cached
 * file against the signed index before using it. After each step every new file is also linked as
 * {@code sha256/HEX.deb}, so a lock file's SHA-256 finds it, and a file contradicting the lock is
 * dropped before apt can use it.
 */
final class DebCache {
  private final Path dir;

  DebCache(Path dir) {
    this.dir = dir;
  }

  Path dir() {
    return dir;
  }

  /** apt's file name for a package: {@code name_version_arch.deb}, with ':' written as %3a. */
  static String fileName(String name, String version, String architecture) {
    return name + "_" + version.replace(":", "%3a") + "_" + architecture + ".deb";
  }

  /** Links every .deb not yet known by its SHA-256. */
  void index() {
    try {
      Files.createDirectories(dir.resolve("sha256"));
      try (DirectoryStream<Path> debs = Files.newDirectoryStream(dir, "*.deb")) {
        for (Path deb : debs) {
          Path marker =
              dir.resolve("sha256").resolve(".by-name").resolve(deb.getFileName().toString());
          if (Files.exists(marker)) {
            continue;
          }
          Path byHash = dir.resolve("sha256").resolve(sha256(deb) + ".deb");
          if (!Files.exists(byHash)) {
            Files.createLink(byHash, deb);
          }
          Files.createDirectories(marker.getParent());
          Files.writeString(marker, byHash.getFileName().toString());
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The SHA-256 of the cached file of a package, if it is cached. */
  Optional<String> sha256Of(String name, String version, String architecture) {
    Path deb = dir.resolve(fileName(name, version, architecture));
    if (!Files.isRegularFile(deb)) {
      return Optional.empty();
    }
    try {
      Path marker = dir.resolve("sha256/.by-name").resolve(deb.getFileName().toString());
      if (Files.exists(marker)) {
        return Optional.of(Files.readString(marker).replace(".deb", ""));
      }
      return Optional.of(sha256(deb));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Whether the cache may serve the locked package: a file under its {@code sha256/} link or apt's
   * name exists (not hashed: see {@link #withSha256}).
   */
  boolean mayHold(LockFile.LockedPackage p) {
    return candidates(p).stream().anyMatch(Files::isRegularFile);
  }

  /**
   * The cached .deb of a locked package whose content has exactly the locked SHA-256 (hashed here,
   * not trusted from a link): the {@code sha256/} link first, else apt's file name. The file is
   * linked under apt's name too, so the build's lock records its SHA-256.
   */
  Optional<Path> withSha256(LockFile.LockedPackage p) {
    for (Path candidate : candidates(p)) {
      if (Files.isRegularFile(candidate) && sha256(candidate).equals(p.sha256())) {
        Path byName = dir.resolve(fileName(p.name(), p.version(), p.architecture()));
        if (!candidate.equals(byName) && !Files.exists(byName)) {
          try {
            Files.createLink(byName, candidate);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
        return Optional.of(candidate);
      }
    }
    return Optional.empty();
  }

  /** Where a locked package's file may be: its sha256/ link, then apt's name; none without one. */
  private List<Path> candidates(LockFile.LockedPackage p) {
    return p.hasSha256()
        ? List.of(
            dir.resolve("sha256").resolve(p.sha256() + ".deb"),
            dir.resolve(fileName(p.name(), p.version(), p.architecture())))
        : List.of();
  }

  /** Removes cached files whose content contradicts the lock, so apt fetches them again. */
  void dropMismatches(List<LockFile.LockedPackage> locked) {
    for (LockFile.LockedPackage p : locked) {
      Optional<String> actual = sha256Of(p.name(), p.version(), p.architecture());
      if (p.hasSha256() && actual.isPresent() && !actual.get().equals(p.sha256())) {
        try {
          String file = fileName(p.name(), p.version(), p.architecture());
          Files.deleteIfExists(dir.resolve(file));
          Files.deleteIfExists(dir.resolve("sha256/.by-name").resolve(file));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
    }
  }

  static String sha256(Path file) {
    MessageDigest digest = LayerWriter.sha256();
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      int n;
      while ((n = in.read(buffer)) > 0) {
        digest.update(buffer, 0, n);
      }
    } catch (IOException e) {
      throw new ApplianceException("cannot read " + file + ": " + e.getMessage(), e);
    }
    return java.util.HexFormat.of().formatHex(digest.digest());
  }
}
