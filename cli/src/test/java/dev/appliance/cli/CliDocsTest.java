package dev.appliance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/cli.md has a section for every registered command and subcommand, so none ships
 * undocumented.
 */
class CliDocsTest {
  @Test
  void everyRegisteredCommandHasASectionInTheReference() throws IOException {
    // Maven runs the tests in cli/; the reference is in the repository's docs/.
    String reference = Files.readString(Path.of("..", "docs", "cli.md"));
    List<String> commands = new ArrayList<>();
    collect(Main.commandLine(), "", commands);
    List<String> undocumented =
        commands.stream()
            .filter(
                name ->
                    !Pattern.compile("\n###? `" + Pattern.quote(name) + "`\n")
                        .matcher(reference)
                        .find())
            .toList();
    assertEquals(
        List.of(),
        undocumented,
        "commands without a '## `name`' (or '### `name sub`') section in docs/cli.md");
  }

  private static void collect(picocli.CommandLine parent, String prefix, List<String> commands) {
    parent
        .getSubcommands()
        .forEach(
            (name, sub) -> {
              commands.add(prefix + name);
              collect(sub, prefix + name + " ", commands);
            });
  }
}
