package dev.appliance.builder;

import dev.appliance.common.ApplianceException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Consumer;

/**
 * One build at a time per data directory. Builds share the layer cache, the .deb cache and the apt
 * lists, and a starting build clears the cache's leftovers of interrupted builds: a second build
 * running meanwhile would lose its work in progress. The lock is an fcntl lock, so a killed build
 * releases it.
 */
final class BuildLock implements AutoCloseable {
  private final FileChannel channel;
  private final FileLock lock;

  private BuildLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  static BuildLock acquire(Path file, Consumer<String> log) {
    try {
      Files.createDirectories(file.getParent());
      FileChannel channel =
          FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      try {
        FileLock lock = channel.tryLock();
        if (lock == null) {
          log.accept("waiting for another build using " + file.getParent() + " to finish");
          lock = channel.lock();
        }
        return new BuildLock(channel, lock);
      } catch (IOException | RuntimeException e) {
        channel.close();
        throw e;
      }
    } catch (IOException e) {
      throw new ApplianceException("cannot lock " + file + ": " + e.getMessage(), e);
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException e) {
      // Closing the channel releases the lock in any case.
    }
  }
}
