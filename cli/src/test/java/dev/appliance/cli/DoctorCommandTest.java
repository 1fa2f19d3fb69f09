package dev.appliance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Runs the real checks on this host (KVM probe included). */
class DoctorCommandTest {
  @Test
  void jsonIsAListOfChecksNamingEveryEngine() throws Exception {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int exit = run(out, err, "doctor", "--json", "--quiet");
    assertEquals(0, exit, err.toString());
    assertEquals("", err.toString(), "--quiet printed progress");

    JsonNode checks = new ObjectMapper().readTree(out.toString());
    assertTrue(checks.isArray(), out.toString());
    List<String> names = new ArrayList<>();
    for (JsonNode check : checks) {
      names.add(check.get("name").asText());
      assertTrue(check.get("ok").isBoolean(), check.toString());
      assertFalse(check.get("detail").asText().isBlank(), check.toString());
      if (!check.get("ok").asBoolean()) {
        assertFalse(check.get("fix").asText().isBlank(), "a gap without a fix: " + check);
      }
    }
    assertTrue(
        names.containsAll(List.of("engine.kvm", "engine.uml", "engine.tcg")), names.toString());
    assertTrue(names.contains("builder.mmdebstrap"), names.toString());
  }

  @Test
  void tableShowsEveryCheckAndTheUsableEngines() {
    StringWriter out = new StringWriter();
    int exit = run(out, new StringWriter(), "doctor");
    assertEquals(0, exit);
    String table = out.toString();
    for (String engine : List.of("engine.kvm", "engine.uml", "engine.tcg")) {
      assertTrue(table.contains(engine), table);
    }
    assertTrue(table.contains("usable engines") || table.contains("no engine is usable"), table);
  }

  private static int run(StringWriter out, StringWriter err, String... args) {
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(out));
    cli.setErr(new PrintWriter(err));
    return cli.execute(args);
  }
}
