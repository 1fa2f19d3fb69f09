package dev.appliance.cli;

import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.util.List;

/**
 * The training run of the class-data archive ({@code appliance.jsa}, see docs/cli.md "Start-up"):
 * the package phase runs this under {@code -XX:ArchiveClassesAtExit} against an empty store, so
 * that the classes the quick commands load (picocli's model of every command, the store, Jackson)
 * are archived and later mapped instead of parsed and verified. Not a user command; output
 * discarded.
 */
final class CdsTraining {
  private static final List<List<String>> COMMANDS =
      List.of(
          List.of("--version"),
          List.of("--help"),
          List.of("images"),
          List.of("images", "--json"),
          List.of("ps"),
          List.of("ps", "--json"),
          List.of("inspect", "training:0"),
          List.of("volume", "ls"),
          List.of("run", "--help"));

  private CdsTraining() {}

  public static void main(String[] args) {
    // Error paths (the missing image) print through System.err too.
    System.setOut(new PrintStream(OutputStream.nullOutputStream()));
    System.setErr(new PrintStream(OutputStream.nullOutputStream()));
    for (List<String> command : COMMANDS) {
      String[] arguments = command.toArray(String[]::new);
      var cli = Main.commandLine(arguments);
      cli.setOut(new PrintWriter(Writer.nullWriter()));
      cli.setErr(new PrintWriter(Writer.nullWriter()));
      cli.execute(arguments);
    }
  }
}
