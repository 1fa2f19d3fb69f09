package dev.appliance.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.appliance.e2e.support.ApplianceCli;
import dev.appliance.e2e.support.CliResult;
import dev.appliance.e2e.support.E2eEnvironment;
import dev.appliance.e2e.support.EndToEnd;
import dev.appliance.e2e.support.Http;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code upgrade} and {@code rollback} through the real CLI on real guests: three versions of a
 * small appliance built from tests' recipes/upgrade-app (the tiny web server; each boot appends a
 * line to its volume). Version 2 raises the data version to 1 with a hook, version 3 never becomes
 * healthy.
 */
@EndToEnd
class UpgradeE2eTest {
  private static final Duration BOOT = Duration.ofMinutes(5);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static ApplianceCli cli;

  @BeforeAll
  static void buildVersions() {
    cli = ApplianceCli.forTest("upgrade");
    Path recipes =
        E2eEnvironment.repository().resolve("tests/src/test/resources/recipes/upgrade-app");
    for (String version : List.of("1", "2", "3")) {
      cli.run(
              Duration.ofMinutes(20),
              "build",
              "-q",
              recipes.resolve("app-" + version + ".yaml").toString())
          .assertSuccess();
    }
  }

  @AfterAll
  static void removeInstance() {
    if (cli != null) {
      cli.run("rm", "-f", "up");
      cli.run("rm", "-f", "ci");
    }
  }

  @Test
  void upgradeRollsBackABrokenVersionAndRefusesADowngradeAcrossDataVersions() throws Exception {
    String url = runVersion1("up", "updata");
    assertEquals("1", Http.get(url + "version"));
    assertEquals(1, lines(Http.get(url + "boots")));

    CliResult upgraded = cli.run(BOOT, "upgrade", "up", "upgrade-app:2").assertSuccess();
    for (String step :
        List.of(
            "stopping up (upgrade-app:1)",
            "snapshotting volume(s) updata",
            "booting upgrade-app:2 (its data upgrade runs from version 0)",
            "upgraded up to upgrade-app:2 in ")) {
      assertTrue(upgraded.stderr().contains(step), step + " in:\n" + upgraded.stderr());
    }
    assertEquals(url, upgraded.stdoutLines().get(0), "the same published port");
    assertEquals("2", Http.get(url + "version"));
    assertEquals(2, lines(Http.get(url + "boots")), "the volume came along");
    assertEquals("0 1", Http.get(url + "upgrades"), "the hook ran, from data version 0 to 1");
    assertTrue(
        cli.run("volume", "ls").assertSuccess().stdout().contains("updata.pre-upgrade"),
        "the snapshot is a volume");

    CliResult broken = cli.run(BOOT, "upgrade", "up", "upgrade-app:3").assertExit(1);
    String error = broken.stderr();
    assertTrue(error.contains("upgrade to upgrade-app:3 failed: up did not become healthy"), error);
    assertTrue(error.contains("within 30 s"), error);
    assertTrue(error.contains("HTTP 404 instead of 200"), "the last probe error:\n" + error);
    assertTrue(error.contains("rolled back: up runs upgrade-app:2 again"), error);
    assertEquals("2", Http.get(url + "version"));
    assertEquals(
        3, lines(Http.get(url + "boots")), "version 3's boot was undone by the snapshot's restore");
    assertEquals("0 1", Http.get(url + "upgrades"), "the hook ran once");

    JsonNode inspect = JSON.readTree(cli.run("inspect", "--json", "up").assertSuccess().stdout());
    List<String> outcomes = new ArrayList<>();
    inspect.get("history").forEach(c -> outcomes.add(c.get("outcome").asText()));
    assertEquals(List.of("created", "upgraded", "upgrade-failed", "rolled-back"), outcomes);
    assertEquals("upgrade-app:2", inspect.get("instance").get("image").asText());
    assertTrue(
        inspect.get("history").get(2).get("message").asText().contains("did not become healthy"));
    assertEquals(
        "upgrade-app:2",
        JSON.readTree(cli.run("ps", "--json").assertSuccess().stdout())
            .get(0)
            .get("image")
            .asText());

    String refused = cli.run(BOOT, "rollback", "up").assertExit(2).stderr();
    assertTrue(refused.contains("volume updata holds data version 1"), refused);
    assertTrue(refused.contains("upgrade-app:1 reads data version 0"), refused);
    assertTrue(refused.contains("the snapshot updata.pre-upgrade"), refused);
    assertEquals("2", Http.get(url + "version"), "a refused rollback stops nothing");

    CliResult rolledBack = cli.run(BOOT, "rollback", "--restore-volumes", "up").assertSuccess();
    assertEquals("1", Http.get(url + "version"));
    assertEquals(
        2,
        lines(Http.get(url + "boots")),
        "the volume as before the first upgrade, plus this boot");

    System.out.println(
        "upgrade, stop to healthy: "
            + seconds(upgraded.stderr(), "upgraded up to \\S+ in ([0-9.]+) s"));
    System.out.println("automatic rollback: " + seconds(error, "rolled back in ([0-9.]+) s"));
    System.out.println(
        "rollback command, stop to healthy: "
            + seconds(rolledBack.stderr(), "rolled back up to \\S+ in ([0-9.]+) s"));
  }

  @Test
  void interruptingAnUpgradeRollsBack() throws Exception {
    String url = runVersion1("ci", "cidata");
    CliResult interrupted;
    try (ApplianceCli.Background upgrade = cli.start("upgrade", "ci", "upgrade-app:2")) {
      long deadline = System.nanoTime() + BOOT.toNanos();
      while (!upgrade.stderrSoFar().contains("booting upgrade-app:2")
          && upgrade.isAlive()
          && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertTrue(
          upgrade.isAlive(), "the upgrade ended before it booted:\n" + upgrade.stderrSoFar());
      // SIGTERM: the JVM runs the same shutdown path as for Ctrl-C (SIGINT), which a process
      // started in the background of a non-interactive shell (as under CI) inherits ignored.
      ProcessHandle.of(upgrade.pid()).orElseThrow().destroy();
      interrupted = upgrade.waitFor(BOOT);
    }
    String error = interrupted.stderr();
    assertTrue(interrupted.exitCode() != 0, error);
    assertTrue(error.contains("interrupted: rolling back"), error);
    assertTrue(error.contains("upgrade to upgrade-app:2 failed: interrupted by the user"), error);
    assertTrue(error.contains("rolled back: ci runs upgrade-app:1 again"), error);
    assertEquals("1", Http.get(url + "version"), "the previous version answers, healthy");
    assertEquals(2, lines(Http.get(url + "boots")), "the first boot and the rollback's");
    assertEquals(
        "none", Http.get(url + "upgrades"), "whatever version 2 did to the volume is undone");
    cli.run("rm", "-f", "ci").assertSuccess();
  }

  /** Runs version 1 as {@code name} with {@code volume} on /srv/data; returns its URL. */
  private static String runVersion1(String name, String volume) {
    return cli.run(
            BOOT,
            "run",
            "-d",
            "--name",
            name,
            "-p",
            "80",
            "-v",
            volume + ":/srv/data",
            "upgrade-app:1")
        .assertSuccess()
        .stdoutLines()
        .get(0);
  }

  private static String seconds(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    return m.find() ? m.group(1) + " s" : "(not reported)";
  }

  private static int lines(String text) {
    return text.isBlank() ? 0 : text.strip().split("\n").length;
  }
}
