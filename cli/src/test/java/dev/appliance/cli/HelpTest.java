package dev.appliance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import picocli.CommandLine;

/** {@code --help} of every registered command, so commands added later are covered too. */
class HelpTest {
  @TestFactory
  Stream<DynamicTest> everyCommandPrintsItsHelpAndExitsZero() {
    List<List<String>> paths = new ArrayList<>();
    collect(Main.commandLine(), new ArrayList<>(), paths);
    assertTrue(paths.size() > 1, "no subcommands registered");
    return paths.stream()
        .map(
            path ->
                DynamicTest.dynamicTest(
                    String.join(" ", path) + " --help",
                    () -> {
                      List<String> args = new ArrayList<>(path.subList(1, path.size()));
                      args.add("--help");
                      StringWriter out = new StringWriter();
                      StringWriter err = new StringWriter();
                      CommandLine cli = Main.commandLine();
                      cli.setOut(new PrintWriter(out));
                      cli.setErr(new PrintWriter(err));
                      int exit = cli.execute(args.toArray(String[]::new));
                      assertEquals(0, exit, err.toString());
                      String usage = out.toString();
                      assertTrue(usage.contains("Usage: " + String.join(" ", path)), usage);
                      // Every command says what it does.
                      CommandLine.Model.UsageMessageSpec message =
                          commandAt(cli, path).getCommandSpec().usageMessage();
                      assertTrue(
                          message.description().length + message.header().length > 0,
                          "no description:\n" + usage);
                    }));
  }

  private static CommandLine commandAt(CommandLine root, List<String> path) {
    CommandLine cli = root;
    for (String name : path.subList(1, path.size())) {
      cli = cli.getSubcommands().get(name);
    }
    return cli;
  }

  private static void collect(CommandLine cli, List<String> parent, List<List<String>> paths) {
    List<String> path = new ArrayList<>(parent);
    path.add(cli.getCommandName());
    paths.add(path);
    // Aliases share one CommandLine: visit each command once.
    cli.getSubcommands().values().stream().distinct().forEach(sub -> collect(sub, path, paths));
  }
}
