package dev.appliance.builder;

import dev.appliance.common.ApplianceException;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Scratch space of one build, beside the layer cache so finished trees move into the cache by
 * rename. Closing it (normally, on failure, or from the shutdown hook on Ctrl-C) unmounts whatever
 * is still mounted below it and deletes it. Workspaces left by a killed build are removed by the
 * next one.
 */
final class Workspace implements AutoCloseable {
  private final Path dir;
  private final java.util.Set<Path> alsoDelete = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private final Thread shutdownHook;
  private boolean closed;

  private Workspace(Path dir) {
    this.dir = dir;
    this.shutdownHook = new Thread(this::interrupted, "appliance-build-cleanup");
    Runtime.getRuntime().addShutdownHook(shutdownHook);
  }

  static Workspace create(Path parent) {
    try {
      Files.createDirectories(parent);
      removeAbandoned(parent);
      Path dir = parent.resolve(UUID.randomUUID().toString());
      Files.createDirectories(dir);
      Files.writeString(dir.resolve("pid"), Long.toString(ProcessHandle.current().pid()));
      return new Workspace(dir);
    } catch (IOException e) {
      throw new ApplianceException(
          "cannot create build directory in " + parent + ": " + e.getMessage(), e);
    }
  }

  Path dir() {
    return dir;
  }

  Path newDir(String name) {
    try {
      return Files.createDirectories(dir.resolve(name));
    } catch (IOException e) {
      throw new ApplianceException("cannot create " + dir.resolve(name) + ": " + e.getMessage(), e);
    }
  }

  @Override
  public synchronized void close() {
    if (!closed) {
      closed = true;
      remove();
      try {
        Runtime.getRuntime().removeShutdownHook(shutdownHook);
      } catch (IllegalStateException e) {
        // Already shutting down: the hook is running or ran.
      }
    }
  }

  /** Deletes {@code path} too when the workspace closes, unless {@link #keep} is called first. */
  void deleteOnClose(Path path) {
    alsoDelete.add(path);
  }

  void keep(Path path) {
    alsoDelete.remove(path);
  }

  /**
   * Ctrl-C or SIGTERM: stop the tools still running for the build (a terminal's Ctrl-C reaches them
   * too, a kill of this process alone does not), then clean up.
   */
  private void interrupted() {
    List<ProcessHandle> children = ProcessHandle.current().descendants().toList();
    children.forEach(ProcessHandle::destroy);
    for (ProcessHandle child : children) {
      try {
        child.onExit().get(10, java.util.concurrent.TimeUnit.SECONDS);
      } catch (Exception e) {
        child.destroyForcibly();
      }
    }
    remove();
  }

  private void remove() {
    delete(dir);
    alsoDelete.forEach(Workspace::delete);
  }

  static void delete(Path dir) {
    if (Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      Mounts.unmountAllUnder(dir);
      // rm stays on this file system, so a mount that would not go away is never emptied.
      Processes.run(
          List.of("rm", "-rf", "--one-file-system", dir.toString()),
          Map.of(),
          null,
          l -> {},
          false);
    }
  }

  /** Deletes workspaces whose build process is gone. */
  private static void removeAbandoned(Path parent) throws IOException {
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(parent)) {
      for (Path d : dirs) {
        Path pid = d.resolve("pid");
        // A workspace being created right now may not have its pid file yet.
        boolean alive =
            !Files.exists(pid)
                && Files.getLastModifiedTime(d).toMillis() > System.currentTimeMillis() - 60_000;
        if (Files.isRegularFile(pid)) {
          try {
            alive = ProcessHandle.of(Long.parseLong(Files.readString(pid).trim())).isPresent();
          } catch (NumberFormatException e) {
            alive = false;
          }
        }
        if (!alive) {
          delete(d);
        }
      }
    }
  }
}
