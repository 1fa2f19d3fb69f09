package dev.appliance.builder;

import dev.appliance.common.ApplianceException;
import dev.appliance.common.HostTools;
import dev.appliance.common.Utf8Locale;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Runs host tools (mmdebstrap, mount, chroot, getfattr) and reports failures with their output's
 * tail.
 */
final class Processes {
  private static final int TAIL_LINES = 25;

  private Processes() {}

  /**
   * The result of a finished command: exit code, stdout bytes and the last lines of stderr+stdout.
   */
  record Result(int exitCode, byte[] stdout, String tail) {
    String stdoutText() {
      return new String(stdout, StandardCharsets.UTF_8);
    }
  }

  /** Runs a command, failing with its output tail when it exits non-zero. */
  static Result check(List<String> command) {
    return check(command, Map.of(), null, line -> {});
  }

  static Result check(
      List<String> command, Map<String, String> env, Path dir, Consumer<String> progress) {
    Result result = run(command, env, dir, progress, false);
    if (result.exitCode() != 0) {
      throw new ApplianceException(
          String.join(" ", command)
              + " failed with exit code "
              + result.exitCode()
              + ":\n"
              + result.tail());
    }
    return result;
  }

  /**
   * Runs a command. stderr lines go to {@code progress} and into the tail; stdout is captured when
   * {@code captureStdout}, else treated like stderr.
   */
  static Result run(
      List<String> command,
      Map<String, String> env,
      Path dir,
      Consumer<String> progress,
      boolean captureStdout) {
    return run(command, env, dir, progress, captureStdout, null);
  }

  /** As above; {@code stop}, when not null, can stop the command from another thread. */
  static Result run(
      List<String> command,
      Map<String, String> env,
      Path dir,
      Consumer<String> progress,
      boolean captureStdout,
      StepStop stop) {
    ProcessBuilder pb = new ProcessBuilder(HostTools.resolve(command));
    // What the build's tools see must not depend on who runs it and from where.
    pb.environment()
        .keySet()
        .removeIf(name -> name.startsWith("LC_") || name.equals("LANG") || name.equals("LANGUAGE"));
    pb.environment().put("LC_ALL", Utf8Locale.LOCALE);
    pb.environment().put("PATH", HostTools.STANDARD_PATH);
    pb.environment().putAll(env);
    if (dir != null) {
      pb.directory(dir.toFile());
    }
    pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    if (!captureStdout) {
      pb.redirectErrorStream(true);
    }
    Process process;
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new ApplianceException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
    }
    if (stop != null) {
      stop.started(process);
    }
    Deque<String> tail = new ArrayDeque<>();
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    try {
      Thread errReader = null;
      if (captureStdout) {
        errReader = new Thread(() -> readLines(process.getErrorStream(), tail, progress));
        errReader.start();
        process.getInputStream().transferTo(stdout);
      } else {
        readLines(process.getInputStream(), tail, progress);
      }
      int code = process.waitFor();
      if (errReader != null) {
        errReader.join();
      }
      synchronized (tail) {
        return new Result(code, stdout.toByteArray(), String.join("\n", tail));
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new ApplianceException("interrupted while running " + command.get(0), e);
    } catch (IOException e) {
      process.destroyForcibly();
      throw new UncheckedIOException(e);
    } finally {
      if (stop != null) {
        stop.ended();
      }
    }
  }

  private static void readLines(InputStream in, Deque<String> tail, Consumer<String> progress) {
    try (var reader =
        new java.io.BufferedReader(new java.io.InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      while ((line = reader.readLine()) != null) {
        progress.accept(line);
        synchronized (tail) {
          tail.addLast(line);
          if (tail.size() > TAIL_LINES) {
            tail.removeFirst();
          }
        }
      }
    } catch (IOException e) {
      // The process went away; its exit code tells the rest.
    }
  }
}
