package dev.appliance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code validate --json} prints what it printed when the document was built from maps (field names
 * and order), so scripts reading it keep working. The expected file was written by the map-based
 * code before the change to records.
 */
class ValidateJsonTest {
  private static final Path EXPECTED = Path.of("src/test/resources/json/validate-lamp.json");

  @Test
  void theLampSummaryIsUnchanged() throws IOException {
    StringWriter out = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(new StringWriter()));
    assertEquals(0, cli.execute("validate", "--json", "../recipes/lamp/lamp.yaml"));
    // The chain and file sources are absolute paths: the checkout's place is not part of the
    // format.
    String root = Path.of("..").toAbsolutePath().normalize() + "/";
    assertEquals(
        Files.readString(EXPECTED, StandardCharsets.UTF_8), out.toString().replace(root, "ROOT/"));
  }
}
