package dev.appliance.runtime.disk;

import dev.appliance.common.ApplianceException;
import dev.appliance.common.HostTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs a host program (mke2fs, debugfs, qemu-img, patchelf, ...) to completion with its output
 * captured in files in the working directory, so a chatty tool cannot block on a full pipe.
 */
public final class HostTool {
  private HostTool() {}

  /**
   * The result of one run; with {@link Options#merged()}, {@code stdout} holds both streams and
   * {@code stderr} is empty.
   */
  public record Result(int exitCode, String stdout, String stderr) {
    /** debugfs's error messages: its stderr without the version banner ("debugfs 1.47.0 ..."). */
    public String debugfsErrors() {
      return stderr
          .lines()
          .filter(line -> !line.startsWith("debugfs ") && !line.isBlank())
          .collect(java.util.stream.Collectors.joining("\n"));
    }
  }

  /**
   * How a tool runs.
   *
   * @param env added to this process's environment
   * @param mergeStderr stderr goes into the same capture as stdout, interleaved as written
   * @param timeout the tool is killed and the run fails after this long; null: no limit
   */
  public record Options(Map<String, String> env, boolean mergeStderr, Duration timeout) {
    /**
     * Separate streams, no limit: for tools whose run time grows with the data (qemu-img convert,
     * mke2fs -d).
     */
    public static final Options DEFAULT = new Options(Map.of(), false, null);

    /**
     * A short-lived tool (patchelf, qemu-img create, a small mke2fs, UML's management console): two
     * minutes is far more than it needs, and a hang fails the operation instead of blocking it.
     */
    public static final Options SHORT = DEFAULT.withTimeout(Duration.ofSeconds(120));

    public Options {
      env = Map.copyOf(env);
    }

    public Options withEnv(Map<String, String> env) {
      return new Options(env, mergeStderr, timeout);
    }

    public Options merged() {
      return new Options(env, true, timeout);
    }

    public Options withTimeout(Duration timeout) {
      return new Options(env, mergeStderr, timeout);
    }
  }

  /**
   * Finds {@code name} in PATH or the sbin directories (e2fsprogs lives there; a user's PATH may
   * lack them).
   */
  public static Path find(String name) {
    return HostTools.find(name)
        .orElseThrow(
            () ->
                new ApplianceException(
                    name + " not found; install the host packages (scripts/install-host-deps)"));
  }

  /** Runs the command in {@code workDir} and fails with its stderr unless it exits 0. */
  public static Result run(List<String> command, Path workDir) {
    return run(command, workDir, Options.DEFAULT);
  }

  /**
   * Runs the command in {@code workDir} and fails with its error output unless it exits 0 (in
   * time).
   */
  public static Result run(List<String> command, Path workDir, Options options) {
    Result result = runAllowingFailure(command, workDir, options);
    if (result.exitCode() != 0) {
      throw new ApplianceException(
          Path.of(command.get(0)).getFileName()
              + " failed (exit "
              + result.exitCode()
              + "): "
              + (result.stderr().isBlank() ? result.stdout() : result.stderr()).strip());
    }
    return result;
  }

  public static Result runAllowingFailure(
      List<String> command, Path workDir, Map<String, String> env) {
    return runAllowingFailure(command, workDir, Options.DEFAULT.withEnv(env));
  }

  /**
   * Runs the command in {@code workDir}; fails only when it cannot start or does not finish in
   * time.
   */
  public static Result runAllowingFailure(List<String> command, Path workDir, Options options) {
    List<String> resolved = new ArrayList<>(command);
    if (!resolved.get(0).contains("/")) {
      resolved.set(0, find(resolved.get(0)).toString());
    }
    Path out = null;
    Path err = null;
    try {
      out = Files.createTempFile(workDir, "tool", ".out");
      ProcessBuilder pb =
          new ProcessBuilder(resolved)
              .directory(workDir.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
              .redirectOutput(out.toFile());
      if (options.mergeStderr()) {
        pb.redirectErrorStream(true);
      } else {
        err = Files.createTempFile(workDir, "tool", ".err");
        pb.redirectError(err.toFile());
      }
      pb.environment().putAll(options.env());
      Process process = pb.start();
      int code = await(process, resolved.get(0), options.timeout());
      return new Result(code, text(out), err == null ? "" : text(err));
    } catch (IOException e) {
      throw new ApplianceException("cannot run " + resolved.get(0) + ": " + e.getMessage(), e);
    } finally {
      deleteQuietly(out);
      deleteQuietly(err);
    }
  }

  private static int await(Process process, String program, Duration timeout) {
    try {
      if (timeout == null) {
        return process.waitFor();
      }
      if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        process.destroyForcibly();
        throw new ApplianceException(
            Path.of(program).getFileName() + " did not finish in " + timeout.toSeconds() + " s");
      }
      return process.exitValue();
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new ApplianceException("interrupted while running " + program, e);
    }
  }

  /** Lenient: a tool may print bytes that are not UTF-8 (debugfs cat of a binary file). */
  private static String text(Path file) throws IOException {
    return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
  }

  private static void deleteQuietly(Path p) {
    if (p != null) {
      try {
        Files.deleteIfExists(p);
      } catch (IOException ignored) {
        // a temp file in a directory the caller removes anyway
      }
    }
  }
}
