package dev.appliance.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code appliance} as a user runs it: a separate JVM with its own APPLIANCE_HOME (the CLI reads
 * its directories from the environment, which a test cannot set in its own JVM).
 */
final class CliProcess {
  record Run(int exit, String out, String err) {}

  private CliProcess() {}

  static Run run(Path home, String... args) throws IOException, InterruptedException {
    return run(home, Map.of(), "", args);
  }

  /**
   * @param stdin written to the command's standard input, which is then closed
   */
  static Run run(Path home, Map<String, String> env, String stdin, String... args)
      throws IOException, InterruptedException {
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                "dev.appliance.cli.Main"));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("APPLIANCE_HOME", home.toString());
    builder.environment().putAll(env);
    Path err = Files.createTempFile("appliance-cli", ".err");
    try {
      builder.redirectError(err.toFile());
      Process p = builder.start();
      p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
      p.getOutputStream().close();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      return new Run(p.waitFor(), out, Files.readString(err));
    } finally {
      Files.deleteIfExists(err);
    }
  }
}
