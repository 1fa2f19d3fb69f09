package dev.appliance.common;

import java.util.concurrent.ThreadFactory;

/**
 * Threads for work beside a command's own (compression, deletion, checks): daemon threads, so that
 * the JVM never waits at exit for one the command did not join.
 */
public final class DaemonThreads {
  private DaemonThreads() {}

  /** Makes daemon threads called {@code name}. */
  public static ThreadFactory named(String name) {
    return task -> {
      Thread thread = new Thread(task, name);
      thread.setDaemon(true);
      return thread;
    };
  }
}
