package dev.appliance.store;

import dev.appliance.common.ApplianceException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A shared/exclusive lock on a file, valid across processes (fcntl locks) and across threads of
 * this JVM. Java refuses two overlapping FileLocks in one JVM, so threads first take an in-process
 * read/write lock per file: that map is the one piece of static state here, and it only ever holds
 * locks.
 */
final class StoreLock {
  private static final Map<Path, ReentrantReadWriteLock> IN_PROCESS = new ConcurrentHashMap<>();
  private static final Map<Path, FileState> FILE_STATE = new ConcurrentHashMap<>();

  /** Per file: the OS lock held on behalf of this JVM's shared holders. */
  private static final class FileState {
    FileChannel channel;
    FileLock lock;
    int holders;
  }

  private StoreLock() {}

  /** A held lock; close releases it. */
  interface Held extends AutoCloseable {
    @Override
    void close();
  }

  static Held shared(Path file) {
    return acquire(file, true);
  }

  static Held exclusive(Path file) {
    return acquire(file, false);
  }

  private static Held acquire(Path file, boolean shared) {
    Path key = file.toAbsolutePath().normalize();
    ReentrantReadWriteLock rw = IN_PROCESS.computeIfAbsent(key, k -> new ReentrantReadWriteLock());
    Lock local = shared ? rw.readLock() : rw.writeLock();
    local.lock();
    try {
      FileState state = FILE_STATE.computeIfAbsent(key, k -> new FileState());
      synchronized (state) {
        if (state.holders == 0) {
          state.channel =
              FileChannel.open(
                  key,
                  StandardOpenOption.CREATE,
                  StandardOpenOption.READ,
                  StandardOpenOption.WRITE);
          state.lock = state.channel.lock(0, Long.MAX_VALUE, shared);
        }
        state.holders++;
      }
      return () -> release(state, local);
    } catch (IOException e) {
      local.unlock();
      throw new ApplianceException("cannot lock " + key + ": " + e.getMessage(), e);
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
