package dev.appliance.runtime.instance;

import dev.appliance.common.ApplianceException;
import dev.appliance.common.InvalidInputException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.StandardOpenOption;

/**
 * Held while an instance's image changes ({@code upgrade}, {@code rollback}): a second command on
 * the same instance is refused rather than interleaved. A file lock, released by the kernel if the
 * process dies.
 */
final class ImageChangeLock implements AutoCloseable {
  private final FileChannel channel;

  private ImageChangeLock(FileChannel channel) {
    this.channel = channel;
  }

  static ImageChangeLock acquire(InstanceDir dir) {
    try {
      FileChannel channel =
          FileChannel.open(
              dir.path().resolve(".image-change.lock"),
              StandardOpenOption.CREATE,
              StandardOpenOption.WRITE);
      FileLock lock = channel.tryLock();
      if (lock == null) {
        channel.close();
        throw new InvalidInputException(
            dir.name() + " is being upgraded or rolled back by another command: wait for it");
      }
      return new ImageChangeLock(channel);
    } catch (IOException e) {
      throw new ApplianceException("cannot lock " + dir.path() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      throw new ApplianceException("cannot unlock: " + e.getMessage(), e);
    }
  }
}
