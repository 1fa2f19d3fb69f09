package dev.appliance.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** docs/cli.md has a section for every registered command, so none ships undocumented. */
class CliDocsTest {
    @Test
    void everyRegisteredCommandHasASectionInTheReference() throws IOException {
        // Maven runs the tests in cli/; the reference is in the repository's docs/.
        String reference = Files.readString(Path.of("..", "docs", "cli.md"));
        List<String> undocumented = Main.commandLine().getSubcommands().keySet().stream()
                .filter(name -> !reference.contains("\n## `" + name + "`\n"))
                .toList();
        assertEquals(List.of(), undocumented, "commands without a '## `name`' section in docs/cli.md");
    }
}
