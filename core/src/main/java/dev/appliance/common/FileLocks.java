package dev.appliance.common;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The one file-lock mechanism: a shared or exclusive lock on a file, valid across processes (fcntl
 * locks, so a killed holder releases it) and across threads of this JVM. Java refuses two
 * overlapping FileLocks in one JVM, so threads first take an in-process read/write lock per file:
 * the JVM's file-lock table is process-wide, so these maps are too; they only ever hold locks.
 */
public final class FileLocks {
  private static final Map<Path, ReentrantReadWriteLock> IN_PROCESS = new ConcurrentHashMap<>();
  private static final Map<Path, FileState> FILE_STATE = new ConcurrentHashMap<>();

  /** Per file: the OS lock held on behalf of this JVM's holders. */
  private static final class FileState {
    FileChannel channel;
    FileLock lock;
    int holders;
  }

  private FileLocks() {}

  /** A held lock; close releases it. */
  public interface Held extends AutoCloseable {
    @Override
    void close();
  }

  /** Waits for a shared lock on {@code file}, creating it and its directory when missing. */
  public static Held shared(Path file) {
    return acquire(file, true, true, () -> {});
  }

  /** Waits for an exclusive lock on {@code file}, creating it and its directory when missing. */
  public static Held exclusive(Path file) {
    return acquire(file, false, true, () -> {});
  }

  /**
   * As {@link #exclusive(Path)}; runs {@code whenWaiting} once if another holder (thread or
   * process) makes it wait.
   */
  public static Held exclusive(Path file, Runnable whenWaiting) {
    return acquire(file, false, true, whenWaiting);
  }

  /**
   * An exclusive lock on {@code file} if no holder (thread or process) has one now; empty
   * otherwise, without waiting. For what should be refused rather than queued.
   */
  public static Optional<Held> tryExclusive(Path file) {
    return Optional.ofNullable(acquire(file, false, false, () -> {}));
  }

  /**
   * The lock, once no other holder has it; without {@code wait}, null instead of waiting, with
   * nothing taken.
   */
  private static Held acquire(Path file, boolean shared, boolean wait, Runnable whenWaiting) {
    Path key = file.toAbsolutePath().normalize();
    ReentrantReadWriteLock rw = IN_PROCESS.computeIfAbsent(key, k -> new ReentrantReadWriteLock());
    Lock local = shared ? rw.readLock() : rw.writeLock();
    boolean waited = !local.tryLock();
    if (waited) {
      if (!wait) {
        return null;
      }
      whenWaiting.run();
      local.lock();
    }
    try {
      FileState state = FILE_STATE.computeIfAbsent(key, k -> new FileState());
      synchronized (state) {
        if (state.holders == 0
            && !lockFile(state, key, shared, wait, waited ? () -> {} : whenWaiting)) {
          local.unlock();
          return null;
        }
        state.holders++;
      }
      return () -> release(state, local);
    } catch (IOException | RuntimeException e) {
      local.unlock();
      if (e instanceof RuntimeException r) {
        throw r;
      }
      throw new ApplianceException("cannot lock " + key + ": " + e.getMessage(), e);
    }
  }

  /**
   * Takes the OS lock for {@code state}; false, holding nothing, when it is busy and not {@code
   * wait}.
   */
  private static boolean lockFile(
      FileState state, Path key, boolean shared, boolean wait, Runnable whenWaiting)
      throws IOException {
    Files.createDirectories(key.getParent());
    FileChannel channel =
        FileChannel.open(
            key, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
    try {
      FileLock lock = channel.tryLock(0, Long.MAX_VALUE, shared);
      if (lock == null) {
        if (!wait) {
          channel.close();
          return false;
        }
        whenWaiting.run();
        lock = channel.lock(0, Long.MAX_VALUE, shared);
      }
      state.channel = channel;
      state.lock = lock;
      return true;
    } catch (IOException | RuntimeException e) {
      channel.close();
      throw e;
    }
  }

  private static void release(FileState state, Lock local) {
    try {
      synchronized (state) {
        if (--state.holders == 0) {
          try {
            state.lock.release();
            state.channel.close();
          } catch (IOException e) {
            // Closing the channel releases the lock anyway; nothing to add.
          }
          state.lock = null;
          state.channel = null;
        }
      }
    } finally {
      local.unlock();
    }
  }
}
