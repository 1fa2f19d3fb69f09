package dev.appliance.common;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs this very process again (same java, options, class path or jar, and arguments) behind a
 * prefix such as {@code unshare ...} or with a changed environment, and waits for it. Standard
 * streams are shared. Ctrl-C reaches both processes; when this one is killed it stops the re-run
 * one and waits for it to clean up.
 */
public final class Rerun {
  private Rerun() {}

  /**
   * @param prefix words before this process's command line (may be empty)
   * @param words this process's command line, e.g. {@link #commandLine()}
   * @param env variables to set for the re-run process
   * @return its exit code
   */
  public static int run(List<String> prefix, List<String> words, Map<String, String> env) {
    List<String> command = new ArrayList<>(HostTools.resolve(prefix));
    command.addAll(words);
    ProcessBuilder pb = new ProcessBuilder(command).inheritIO();
    pb.environment().putAll(env);
    Process process;
    try {
      process = pb.start();
    } catch (IOException e) {
      throw new ApplianceException("cannot run " + command.get(0) + ": " + e.getMessage(), e);
    }
    Thread waitForChild =
        new Thread(
            () -> {
              if (process.isAlive()) {
                // Killed (not Ctrl-C, which the child sees too): stop the re-run java (behind a
                // prefix it is the prefix's child), and let it clean up.
                if (prefix.isEmpty()) {
                  process.destroy();
                } else {
                  process
                      .descendants()
                      .filter(p -> p.parent().map(q -> q.pid() == process.pid()).orElse(false))
                      .forEach(ProcessHandle::destroy);
                }
                try {
                  process.waitFor(2, TimeUnit.MINUTES);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                }
              }
            });
    Runtime.getRuntime().addShutdownHook(waitForChild);
    try {
      return process.waitFor();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApplianceException("interrupted while waiting for " + command.get(0), e);
    } finally {
      try {
        Runtime.getRuntime().removeShutdownHook(waitForChild);
      } catch (IllegalStateException e) {
        // Shutting down already: the hook is running.
      }
    }
  }

  /**
   * This process's command line as the kernel has it: java, its options, main class or jar,
   * arguments.
   */
  public static List<byte[]> commandLineBytes() {
    try {
      byte[] raw = Files.readAllBytes(Path.of("/proc/self/cmdline"));
      List<byte[]> words = new ArrayList<>();
      int start = 0;
      for (int i = 0; i < raw.length; i++) {
        if (raw[i] == 0) {
          byte[] word = new byte[i - start];
          System.arraycopy(raw, start, word, 0, word.length);
          words.add(words.isEmpty() ? java(word) : word);
          start = i + 1;
        }
      }
      return words;
    } catch (IOException e) {
      throw new ApplianceException("cannot read this process's command line: " + e.getMessage(), e);
    }
  }

  /**
   * The running java as a full path: argv[0] may be a bare "java" found through a PATH the re-run
   * lacks.
   */
  private static byte[] java(byte[] argv0) {
    return ProcessHandle.current()
        .info()
        .command()
        .map(command -> FileNames.encode(command))
        .orElse(argv0);
  }

  /** {@link #commandLineBytes()} as text (UTF-8). */
  public static List<String> commandLine() {
    return commandLineBytes().stream().map(FileNames::decode).toList();
  }
}
