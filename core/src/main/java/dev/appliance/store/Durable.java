package dev.appliance.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Crash-safe file replacement: content is flushed to disk before the rename that publishes it, and
 * the directory after it, so after a power loss a name in the store points either at the old
 * content or at the complete new one, never at an empty or partial file (rename alone orders
 * nothing on ext4 or XFS).
 */
public final class Durable {
  private Durable() {}

  /** Writes {@code content} to {@code temp}, flushes it, and renames it over {@code target}. */
  public static void write(Path temp, Path target, byte[] content) throws IOException {
    try {
      try (FileChannel channel =
          FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer buffer = ByteBuffer.wrap(content);
        while (buffer.hasRemaining()) {
          channel.write(buffer);
        }
        channel.force(true);
      }
      publish(temp, target);
    } finally {
      Files.deleteIfExists(temp);
    }
  }

  /**
   * Renames an already flushed {@code temp} over {@code target}, then flushes the target's
   * directory.
   */
  public static void publish(Path temp, Path target) throws IOException {
    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    syncDirectory(target.getParent());
  }

  /** Makes a directory's entries (names created, renamed or removed in it) durable. */
  public static void syncDirectory(Path dir) throws IOException {
    try (FileChannel channel = FileChannel.open(dir, StandardOpenOption.READ)) {
      channel.force(true);
    }
  }
}
