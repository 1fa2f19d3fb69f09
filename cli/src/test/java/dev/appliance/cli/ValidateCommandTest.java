package dev.appliance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Drives {@code appliance validate} in-process, as a user would run it. */
class ValidateCommandTest {

  record Run(int exitCode, String out, String err) {}

  static Run appliance(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cli = Main.commandLine();
    cli.setOut(new PrintWriter(out, true));
    cli.setErr(new PrintWriter(err, true));
    int code = cli.execute(args);
    return new Run(code, out.toString(), err.toString());
  }

  static Path repo(String path) {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("recipes/base/debian.yaml"))) {
        return dir.resolve(path);
      }
    }
    throw new IllegalStateException("not inside the appliance repository");
  }

  @Test
  void validRecipePrintsASummaryAndExitsZero() {
    Run run = appliance("validate", repo("recipes/lamp/lamp.yaml").toString());

    assertEquals(0, run.exitCode(), run.err());
    assertTrue(run.out().startsWith("lamp 1.1.0: valid"), run.out());
    assertTrue(run.out().contains("base/debian.yaml -> "), run.out());
    assertTrue(run.out().contains("ports      http 80/tcp"), run.out());
    assertTrue(run.out().contains("health     http GET :80/healthz -> 200"), run.out());
    assertTrue(run.out().contains("params     db_password (secret)"), run.out());
    assertEquals("", run.err());
  }

  @Test
  void jsonSummaryCarriesTheEffectiveRecipe() throws IOException {
    Run run = appliance("validate", "--json", repo("recipes/snort/snort.yaml").toString());

    assertEquals(0, run.exitCode(), run.err());
    JsonNode json = new ObjectMapper().readTree(run.out());
    assertTrue(json.get("valid").asBoolean());
    assertEquals("snort", json.get("name").asText());
    assertEquals(2, json.get("chain").size());
    assertEquals("trixie", json.at("/base/suite").asText());
    assertTrue(json.get("packages").toString().contains("\"suricata\""));
    assertTrue(
        json.get("packages").toString().contains("\"systemd-sysv\""),
        "inherited packages are listed too");
    assertEquals(8080, json.at("/health/port").asInt());
    assertEquals(1024, json.at("/resources/memoryMiB").asInt());
    assertEquals("home_net", json.at("/params/0/name").asText());
    JsonNode firstboot = null;
    for (JsonNode file : json.get("files")) {
      if (file.get("dest").asText().equals("/usr/lib/appliance/appliance-firstboot")) {
        firstboot = file;
      }
    }
    assertEquals("0755", firstboot.get("mode").asText(), "an inherited file, listed with its mode");
  }

  @Test
  void invalidRecipeFailsWithExitCodeTwoAndNamesTheSpot(@TempDir Path dir) throws IOException {
    Path recipe =
        Files.writeString(dir.resolve("bad.yaml"), "name: demo\nversion: \"1\"\npakages: [curl]\n");

    Run run = appliance("validate", recipe.toString());

    assertEquals(2, run.exitCode());
    assertEquals("", run.out());
    assertTrue(
        run.err().startsWith("appliance: " + recipe + ":3:1: unknown key 'pakages'"), run.err());
    assertTrue(run.err().contains("hint: did you mean 'packages'?"), run.err());
  }

  @Test
  void badValueInAnInheritedRecipeNamesThatFile(@TempDir Path dir) throws IOException {
    Files.writeString(
        dir.resolve("base.yaml"), "name: base\nversion: \"1\"\nresources:\n  memory: 512Q\n");
    Path child =
        Files.writeString(
            dir.resolve("child.yaml"), "extends: base.yaml\nname: child\nversion: \"1\"\n");

    Run run = appliance("validate", "--json", child.toString());

    assertEquals(2, run.exitCode());
    assertEquals("", run.out());
    assertTrue(
        run.err()
            .startsWith(
                "appliance: " + dir.resolve("base.yaml") + ":4:11: resources.memory: '512Q'"),
        run.err());
  }

  @Test
  void missingRecipeFileIsInvalidInput(@TempDir Path dir) {
    Run run = appliance("validate", dir.resolve("nope.yaml").toString());

    assertEquals(2, run.exitCode());
    assertTrue(run.err().contains("nope.yaml: no such recipe file"), run.err());
  }

  @Test
  void directoryIsNotARecipe(@TempDir Path dir) {
    Run run = appliance("validate", dir.toString());

    assertEquals(2, run.exitCode());
    assertTrue(
        run.err().startsWith("appliance: " + dir + ": is a directory, not a recipe file"),
        run.err());
  }

  @Test
  void missingArgumentIsAUsageError() {
    Run run = appliance("validate");

    assertEquals(2, run.exitCode());
    assertTrue(run.err().contains("Missing required parameter: 'RECIPE'"), run.err());
  }
}
