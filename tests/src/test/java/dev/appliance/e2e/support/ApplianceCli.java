package dev.appliance.e2e.support;

import static org.junit.jupiter.api.Assertions.fail;

import dev.appliance.common.ApplianceDirs;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Runs the real CLI as a separate process, the way users run it ({@link E2eEnvironment#cli()}: the
 * checkout's launcher), with its own {@code APPLIANCE_HOME} under target/e2e/NAME/home. Every run
 * is a numbered step: its output is kept in target/e2e/NAME/steps/ and its timing printed on
 * stderr. A run that outlives its timeout is killed (with its children) and fails the test.
 *
 * <pre>
 * ApplianceCli cli = ApplianceCli.forTest("lamp-build");
 * cli.run(Duration.ofMinutes(20), "build", "recipes/lamp/lamp.yaml").assertSuccess();
 * </pre>
 */
public final class ApplianceCli {
  public static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(5);

  private final Path home;
  private final Path steps;
  private final Map<String, String> environment;
  private final AtomicInteger stepCounter;
  private final List<String> program;

  private ApplianceCli(
      Path home,
      Path steps,
      Map<String, String> environment,
      AtomicInteger stepCounter,
      List<String> program) {
    this.home = home;
    this.steps = steps;
    this.environment = Map.copyOf(environment);
    this.stepCounter = stepCounter;
    this.program = List.copyOf(program);
  }

  /** A CLI with a fresh, empty APPLIANCE_HOME at target/e2e/{@code name}/home. */
  public static ApplianceCli forTest(String name) {
    Path dir = E2eEnvironment.freshDirectory(name);
    try {
      Path home = Files.createDirectories(dir.resolve("home"));
      Path steps = Files.createDirectories(dir.resolve("steps"));
      return new ApplianceCli(
          home,
          steps,
          Map.of("APPLIANCE_HOME", home.toString()),
          new AtomicInteger(),
          E2eEnvironment.cli());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A CLI whose APPLIANCE_HOME is {@code dir}/home, kept as it is (made when missing), its steps
   * logged in {@code dir}/{@code steps}: for homes that outlive one suite (see {@link
   * SharedAppliance}).
   */
  static ApplianceCli inDirectory(Path dir, String steps) {
    try {
      Path home = Files.createDirectories(dir.resolve("home"));
      Path log = Files.createDirectories(dir.resolve(steps));
      return new ApplianceCli(
          home,
          log,
          Map.of("APPLIANCE_HOME", home.toString()),
          new AtomicInteger(),
          E2eEnvironment.cli());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A CLI run by another, unprivileged {@code user} (through runuser) from a {@code jar} and with a
   * {@code home} that user can read and write; its step logs stay under target/e2e/{@code name}.
   */
  public static ApplianceCli asUser(String name, String user, Path jar, Path home) {
    List<String> program = new ArrayList<>(List.of("runuser", "-u", user, "--"));
    program.addAll(E2eEnvironment.javaJar(jar));
    return new ApplianceCli(
        home, steps(name), Map.of("APPLIANCE_HOME", home.toString()), new AtomicInteger(), program);
  }

  /**
   * A CLI run by {@code user} exactly as from a login shell ({@code su - USER}): the user's home,
   * default XDG directories, Debian's default user PATH, no locale unless the system sets one. It
   * runs {@code java -jar JAR}, the README's "Install elsewhere" wrapper. {@code home} is the
   * user's home (for {@link #dirs()}).
   */
  public static ApplianceCli loginShell(String name, String user, Path jar, Path home) {
    // su hands the words after the user to the login shell: $0 then "$@"; "--" keeps su off their
    // options.
    return new ApplianceCli(
        home,
        steps(name),
        Map.of(),
        new AtomicInteger(),
        List.of(
            "su",
            "--login",
            "--command",
            "exec java -jar '" + jar + "' \"$@\"",
            "--",
            user,
            "appliance"));
  }

  /**
   * A CLI run by {@code user} from its login shell, but under {@code env -i} with only Debian's
   * user PATH (no /usr/sbin) and HOME: the user's cron job or systemd unit.
   */
  public static ApplianceCli loginShellCleanEnvironment(
      String name, String user, Path jar, Path home) {
    return new ApplianceCli(
        home,
        steps(name),
        Map.of(),
        new AtomicInteger(),
        List.of(
            "su",
            "--login",
            "--command",
            "exec env -i PATH=/usr/bin:/bin HOME=\"$HOME\" java -jar '" + jar + "' \"$@\"",
            "--",
            user,
            "appliance"));
  }

  /**
   * A CLI run as this user from {@code env -i} with only PATH, HOME and {@code extra}: what cron,
   * systemd units and many CI runners give. Data in HOME's XDG directories.
   */
  public static ApplianceCli cleanEnvironment(
      String name, Path home, Path jar, Map<String, String> extra) {
    List<String> program =
        new ArrayList<>(List.of("env", "-i", "HOME=" + home, "PATH=/usr/sbin:/usr/bin:/sbin:/bin"));
    extra.forEach((k, v) -> program.add(k + "=" + v));
    program.addAll(List.of("java", "-jar", jar.toString()));
    return new ApplianceCli(home, steps(name), Map.of(), new AtomicInteger(), program);
  }

  private static Path steps(String name) {
    try {
      return Files.createDirectories(E2eEnvironment.freshDirectory(name).resolve("steps"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Where a CLI without APPLIANCE_HOME keeps its files: the XDG defaults under {@code home}. */
  public ApplianceDirs xdgDirs() {
    return new ApplianceDirs(
        home.resolve(".local/share/appliance"), home.resolve(".local/state/appliance"));
  }

  /** The same CLI (same home, same step numbering) with one more environment variable. */
  public ApplianceCli withEnv(String name, String value) {
    Map<String, String> env = new HashMap<>(environment);
    env.put(name, value);
    return new ApplianceCli(home, steps, env, stepCounter, program);
  }

  /** The APPLIANCE_HOME of this CLI. */
  public Path home() {
    return home;
  }

  /** Where this CLI keeps its store, caches and instances (APPLIANCE_HOME's layout). */
  public ApplianceDirs dirs() {
    return new ApplianceDirs(home.resolve("data"), home.resolve("state"));
  }

  public CliResult run(String... args) {
    return run(DEFAULT_TIMEOUT, args);
  }

  public CliResult run(Duration timeout, String... args) {
    return start(null, args).waitFor(timeout);
  }

  /** Runs with {@code input} on stdin (e.g. a password for {@code --password-stdin}). */
  public CliResult runWithStdin(String input, Duration timeout, String... args) {
    return start(input, args).waitFor(timeout);
  }

  /**
   * Starts a long-running command (e.g. {@code logs --follow}); stop it with {@link
   * Background#close()}.
   */
  public Background start(String... args) {
    return start(null, args);
  }

  /**
   * Runs the repository's {@code ./appliance} launcher script instead of the jar, as a user of the
   * checkout would (it rebuilds the jar first only if it is stale).
   */
  public CliResult runThroughLauncher(Duration timeout, String... args) {
    List<String> launcher = List.of(E2eEnvironment.repository().resolve("appliance").toString());
    return start(launcher, null, args).waitFor(timeout);
  }

  private Background start(String input, String... args) {
    return start(program, input, args);
  }

  private Background start(List<String> program, String input, String... args) {
    int step = stepCounter.incrementAndGet();
    String prefix = String.format("%02d-%s", step, args.length == 0 ? "appliance" : safe(args[0]));
    Path stdout = steps.resolve(prefix + ".stdout");
    Path stderr = steps.resolve(prefix + ".stderr");
    List<String> command = new ArrayList<>(program);
    command.addAll(List.of(args));
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(E2eEnvironment.repository().toFile())
            .redirectOutput(stdout.toFile())
            .redirectError(stderr.toFile());
    builder.environment().putAll(environment);
    if (input == null) {
      builder.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
    }
    try {
      Process process = builder.start();
      if (input != null) {
        try (var in = process.getOutputStream()) {
          in.write(input.getBytes(StandardCharsets.UTF_8));
        }
      }
      return new Background(step, List.of(args), process, stdout, stderr, System.nanoTime());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start " + command, e);
    }
  }

  private static String safe(String word) {
    return word.replaceAll("[^A-Za-z0-9_.-]", "_");
  }

  /** A started CLI process. Closing it kills it (and its children) if still running. */
  public static final class Background implements AutoCloseable {
    private final int step;
    private final List<String> args;
    private final Process process;
    private final Path stdout;
    private final Path stderr;
    private final long startNanos;

    private Background(
        int step, List<String> args, Process process, Path stdout, Path stderr, long startNanos) {
      this.step = step;
      this.args = args;
      this.process = process;
      this.stdout = stdout;
      this.stderr = stderr;
      this.startNanos = startNanos;
    }

    /** Waits for the exit; kills the process and fails the test after {@code timeout}. */
    public CliResult waitFor(Duration timeout) {
      boolean exited;
      try {
        exited = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        exited = false;
      }
      if (!exited) {
        kill();
        CliResult partial = result(-1);
        report(partial, "TIMED OUT after " + timeout.toSeconds() + " s");
        fail(
            "appliance "
                + String.join(" ", args)
                + " did not finish within "
                + timeout.toSeconds()
                + " s\n--- stdout ---\n"
                + partial.stdout()
                + "\n--- stderr ---\n"
                + partial.stderr());
      }
      CliResult result = result(process.exitValue());
      report(result, "exit " + result.exitCode());
      return result;
    }

    /** What the process has written so far. */
    public String stdoutSoFar() {
      return read(stdout);
    }

    public String stderrSoFar() {
      return read(stderr);
    }

    public boolean isAlive() {
      return process.isAlive();
    }

    /** The process's pid, e.g. to send it a signal. */
    public long pid() {
      return process.pid();
    }

    @Override
    public void close() {
      if (process.isAlive()) {
        kill();
        report(result(-1), "stopped");
      }
    }

    private void kill() {
      process.descendants().forEach(ProcessHandle::destroyForcibly);
      process.destroyForcibly();
      try {
        process.waitFor(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private CliResult result(int exitCode) {
      return new CliResult(
          args,
          exitCode,
          read(stdout),
          read(stderr),
          Duration.ofNanos(System.nanoTime() - startNanos));
    }

    private void report(CliResult result, String outcome) {
      System.err.printf(
          "[e2e] step %02d: appliance %s -> %s in %.1f s%n",
          step, String.join(" ", args), outcome, result.elapsed().toMillis() / 1000.0);
    }

    private static String read(Path file) {
      try {
        return Files.readString(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        return "";
      }
    }
  }
}
