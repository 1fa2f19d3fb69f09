package dev.appliance.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.e2e.support.ApplianceCli;
import dev.appliance.e2e.support.CliResult;
import dev.appliance.e2e.support.E2eEnvironment;
import dev.appliance.e2e.support.EndToEnd;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;

/** The packaged jar starts, reports its version and validates recipes, as users run it. */
@EndToEnd
class SmokeTest {
  private ApplianceCli cli;

  @BeforeEach
  void freshHome(TestInfo test) {
    cli = ApplianceCli.forTest("smoke-" + test.getTestMethod().orElseThrow().getName());
  }

  @Test
  void versionIsTheProjectVersionOnStdout() {
    CliResult result = cli.run("--version").assertSuccess();
    assertEquals("appliance " + E2eEnvironment.version(), result.stdout().strip());
    assertEquals("", result.stderr());
  }

  @Test
  void doctorReportsEveryEngineAndKeepsToItsOwnHome() {
    CliResult result = cli.run("doctor").assertSuccess();
    for (String engine : List.of("engine.kvm", "engine.uml", "engine.tcg")) {
      assertTrue(result.stdout().contains(engine), result.stdout());
    }
    assertTrue(result.stdout().contains("free for " + cli.dirs().data()), result.stdout());
  }

  @Test
  void launcherScriptRunsTheSameCli() {
    CliResult result = cli.runThroughLauncher(Duration.ofMinutes(5), "--version").assertSuccess();
    assertEquals("appliance " + E2eEnvironment.version(), result.stdout().strip());
  }

  /**
   * The launcher maps the class-data archive the build made beside the jar: nothing of that may
   * show on stdout, which carries the results.
   */
  @Test
  void launcherArchivesLeaveTheOutputAsTheJarPrintsIt() throws Exception {
    String expected = cli.run("images", "--json").assertSuccess().stdout();
    for (int run = 0; run < 3; run++) {
      CliResult result =
          cli.runThroughLauncher(Duration.ofMinutes(5), "images", "--json").assertSuccess();
      assertEquals(expected, result.stdout(), "run " + run);
      if (run > 0) { // the first may build a stale jar, and says so on stderr
        assertEquals("", result.stderr(), "run " + run);
      }
    }
    assertTrue(
        java.nio.file.Files.isRegularFile(
            E2eEnvironment.repository().resolve("cli/target/appliance.jsa")),
        "the build made the class-data archive the launcher maps");
  }

  @Test
  void unknownCommandIsInvalidInput() {
    CliResult result = cli.run("no-such-command").assertExit(2);
    assertTrue(result.stderr().contains("no-such-command"), result.stderr());
    assertEquals("", result.stdout());
  }

  @Test
  void validateAcceptsTheLampRecipe() {
    CliResult result = cli.run("validate", "recipes/lamp/lamp.yaml").assertSuccess();
    assertTrue(result.stdout().startsWith("lamp 1.1.0: valid"), result.stdout());
  }

  @Test
  void validateRejectsABrokenRecipeNamingTheKey() {
    CliResult result = cli.run("validate", testRecipe("broken.yaml")).assertExit(2);
    assertTrue(result.stderr().contains("pakages"), result.stderr());
    assertTrue(result.stderr().contains("broken.yaml"), result.stderr());
    assertEquals("", result.stdout());
  }

  private static String testRecipe(String file) {
    return E2eEnvironment.repository()
        .resolve("tests/src/test/resources/recipes")
        .resolve(file)
        .toString();
  }
}
