package dev.appliance.common;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;

/** Deleting a directory tree: the one recursive delete of the runtime and its tools. */
public final class FileTrees {
  private FileTrees() {}

  /**
   * Deletes {@code path} and everything below it; nothing when it does not exist. Symbolic links
   * are deleted, never followed, so a link in the tree cannot make this delete anything outside it.
   * Read-only directories are made writable first.
   */
  public static void deleteRecursively(Path path) throws IOException {
    if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try {
      Files.walkFileTree(
          path,
          new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) {
              // A directory we made read-only (or a test did) must still be emptied.
              dir.toFile().setWritable(true, true);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
                throws IOException {
              Files.delete(file);
              return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
              if (e != null) {
                throw e;
              }
              Files.delete(dir);
              return FileVisitResult.CONTINUE;
            }
          });
    } catch (NoSuchFileException ignored) {
      // already gone
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** {@link #deleteRecursively}, failing with an {@link ApplianceException} that names the tree. */
  public static void delete(Path path) {
    try {
      deleteRecursively(path);
    } catch (IOException e) {
      throw new ApplianceException("cannot delete " + path + ": " + e.getMessage(), e);
    }
  }

  /**
   * {@link #deleteRecursively} as a best effort, for temporary trees whose leftovers are harmless.
   */
  public static void deleteQuietly(Path path) {
    if (path == null) {
      return;
    }
    try {
      deleteRecursively(path);
    } catch (IOException ignored) {
      // best effort
    }
  }
}
