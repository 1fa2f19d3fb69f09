package dev.appliance.runtime.disk;

import dev.appliance.common.ApplianceException;
import dev.appliance.common.FileLocks;
import dev.appliance.common.FileTrees;
import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * One file or directory in a cache, built at most once: the builder writes into a temporary sibling
 * that is renamed into place, and concurrent callers (threads or processes) of the same key wait on
 * a lock file instead of building it again.
 */
final class CacheEntry {
  interface Builder {
    /**
     * Writes the entry to {@code temp} (not yet existing); {@code work} is scratch space removed
     * afterwards.
     */
    void build(Path temp, Path work) throws IOException;
  }

  private CacheEntry() {}

  @SuppressWarnings("try") // the lock is held for the block, never used in it
  static Path get(Path target, Builder builder) {
    if (Files.exists(target)) {
      return target;
    }
    Path dir = target.getParent();
    try {
      Files.createDirectories(dir);
      // Lock files live apart so the cache directory holds only finished entries.
      Path lockFile =
          Files.createDirectories(dir.resolve(".locks")).resolve(target.getFileName() + ".lock");
      try (FileLocks.Held ignored = FileLocks.exclusive(lockFile)) {
        if (Files.exists(target)) {
          return target;
        }
        removeAbandonedBuilds(dir, target);
        Path work = Files.createTempDirectory(dir, ".build-" + target.getFileName() + "-");
        try {
          Path temp = work.resolve("result");
          builder.build(temp, Files.createDirectory(work.resolve("work")));
          move(temp, target);
        } finally {
          FileTrees.deleteRecursively(work);
        }
        return target;
      }
    } catch (IOException e) {
      throw new ApplianceException(
          "cannot write the cache entry " + target + ": " + e.getMessage(), e);
    }
  }

  /**
   * A build killed half way (kill -9, power loss) leaves its temporary directory; with the lock
   * held, no one else can be building this entry, so it can go.
   */
  private static void removeAbandonedBuilds(Path dir, Path target) throws IOException {
    try (DirectoryStream<Path> old =
        Files.newDirectoryStream(dir, ".build-" + target.getFileName() + "-*")) {
      for (Path p : old) {
        FileTrees.deleteRecursively(p);
      }
    }
  }

  private static void move(Path temp, Path target) throws IOException {
    try {
      Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      throw new IOException("the cache directory does not support atomic renames", e);
    }
  }
}
