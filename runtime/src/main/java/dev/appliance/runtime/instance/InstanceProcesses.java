package dev.appliance.runtime.instance;

import dev.appliance.runtime.engine.ProcessStarter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Finds every host process of an instance by the marker its supervisor, engine and helpers carry in
 * their environment, whoever their parent is now: a process survives its parent only by being
 * re-parented, never by losing its environment. This is how {@code stop}, {@code rm} and {@code ps}
 * see leftovers after a supervisor was killed.
 */
final class InstanceProcesses {
  private static final Path PROC = Path.of("/proc");

  private InstanceProcesses() {}

  /** Live processes marked with {@code instanceDir}, this process excluded. */
  static List<ProcessHandle> find(Path instanceDir) {
    byte[] marker =
        (ProcessStarter.MARKER + "=" + instanceDir.toAbsolutePath())
            .getBytes(StandardCharsets.UTF_8);
    long self = ProcessHandle.current().pid();
    List<ProcessHandle> found = new ArrayList<>();
    try (DirectoryStream<Path> entries =
        Files.newDirectoryStream(PROC, p -> p.getFileName().toString().matches("\\d+"))) {
      for (Path entry : entries) {
        long pid = Long.parseLong(entry.getFileName().toString());
        if (pid != self && hasMarker(entry.resolve("environ"), marker)) {
          ProcessHandle.of(pid).filter(ProcessHandle::isAlive).ifPresent(found::add);
        }
      }
    } catch (IOException e) {
      // /proc unreadable: nothing we can find
    }
    return found;
  }

  /** Whether {@code pid} is alive and belongs to the instance (guards against reused pids). */
  static boolean isOurs(long pid, Path instanceDir) {
    if (pid <= 0) {
      return false;
    }
    byte[] marker =
        (ProcessStarter.MARKER + "=" + instanceDir.toAbsolutePath())
            .getBytes(StandardCharsets.UTF_8);
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)
        && hasMarker(PROC.resolve(Long.toString(pid)).resolve("environ"), marker);
  }

  /** SIGKILLs every process of the instance and waits briefly for them to go. */
  static void killAll(Path instanceDir) {
    for (int round = 0; round < 3; round++) {
      List<ProcessHandle> left = find(instanceDir);
      if (left.isEmpty()) {
        return;
      }
      left.forEach(ProcessHandle::destroyForcibly);
      for (ProcessHandle p : left) {
        try {
          p.onExit().get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
          // checked again in the next round
        }
      }
    }
  }

  private static boolean hasMarker(Path environ, byte[] marker) {
    byte[] env;
    try {
      env = Files.readAllBytes(environ);
    } catch (IOException | SecurityException e) {
      return false; // gone, or another user's process
    }
    // Entries are NUL-separated: match a whole entry.
    outer:
    for (int i = 0; i + marker.length <= env.length; i++) {
      if (i > 0 && env[i - 1] != 0) {
        continue;
      }
      for (int j = 0; j < marker.length; j++) {
        if (env[i + j] != marker[j]) {
          continue outer;
        }
      }
      if (i + marker.length == env.length || env[i + marker.length] == 0) {
        return true;
      }
    }
    return false;
  }
}
