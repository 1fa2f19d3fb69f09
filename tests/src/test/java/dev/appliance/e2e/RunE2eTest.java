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
import dev.appliance.e2e.support.LocalRegistry;
import dev.appliance.e2e.support.SharedAppliance;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * An appliance built by the real builder from a recipe extending the repository's base, booted and
 * managed through the real CLI jar: run, ps, logs, stop, start, rm, and a foreground run killed
 * with SIGKILL during boot.
 */
@EndToEnd
@Tag("slow")
class RunE2eTest {
  private static final Duration BOOT = Duration.ofMinutes(5);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static ApplianceCli cli;

  @BeforeAll
  static void buildImage() {
    cli = ApplianceCli.forTest("run");
    SharedAppliance.TINY_WEB.build().copyInto(cli);
  }

  @AfterAll
  static void removeInstances() {
    if (cli != null) {
      for (String name : List.of("web", "fg", "ctrlc")) {
        cli.run("rm", "-f", name);
      }
    }
  }

  @Test
  void detachedRunPsLogsStopStartRm() throws Exception {
    CliResult run =
        cli.run(
                BOOT,
                "run",
                "-d",
                "--name",
                "web",
                "-p",
                "80",
                "--param",
                "greeting=hey",
                "tiny-web:0.1.0")
            .assertSuccess();
    String url = run.stdoutLines().get(0);
    assertTrue(url.startsWith("http://127.0.0.1:"), run.stdout());
    assertTrue(run.stderr().contains("is up on"), run.stderr());
    assertEquals("hey", Http.get(url + "greeting"));
    // The base's /etc/hosts and the instance's name from appliance-firstboot: no DNS query.
    List<String> hosts =
        Http.get(url + "hosts")
            .lines()
            .map(l -> l.split("\\s+"))
            .map(f -> f[0] + " " + f[f.length - 1])
            .toList();
    assertEquals(List.of("127.0.0.1 localhost", "127.0.1.1 web"), hosts, "getent in the guest");

    JsonNode web = instance("web");
    assertEquals("running", web.get("state").asText());
    assertTrue(web.get("healthy").asBoolean());
    assertTrue(cli.run("logs", "web").assertSuccess().stdout().contains("appliance-firstboot"));

    cli.run("stop", "web").assertSuccess();
    assertTrue(cli.run("ps").assertSuccess().stdout().contains("stopped"));
    assertEquals(List.of(), processesOf("web"));

    CliResult start = cli.run(BOOT, "start", "web").assertSuccess();
    assertEquals(url, start.stdoutLines().get(0), "the same published port");
    assertEquals("hey", Http.get(url + "greeting"));

    cli.run("rm", "web").assertExit(2); // running: refused without -f
    cli.run("rm", "-f", "web").assertSuccess();
    assertEquals(List.of(), processesOf("web"));
    assertTrue(!cli.run("ps", "-q").assertSuccess().stdoutLines().contains("web"));
  }

  @Test
  void killedForegroundRunDuringBootLeavesNothingRunning() throws Exception {
    Path console = cli.dirs().instances().resolve("fg/console.log");
    try (ApplianceCli.Background run =
        cli.start("run", "--name", "fg", "-p", "80", "tiny-web:0.1.0")) {
      long deadline = System.nanoTime() + BOOT.toNanos();
      while (!(Files.exists(console) && Files.size(console) > 200)
          && System.nanoTime() < deadline) {
        Thread.sleep(100);
      }
      assertTrue(Files.exists(console), "the engine never started");
      ProcessHandle handle = ProcessHandle.of(run.pid()).orElseThrow();
      handle.destroyForcibly(); // kill -9 during boot
      handle
          .onExit()
          .get(10, java.util.concurrent.TimeUnit.SECONDS); // before close() would kill its children
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
    String state = "";
    while (System.nanoTime() < deadline) {
      state = instance("fg").get("state").asText();
      if (state.equals("stopped") && processesOf("fg").isEmpty()) {
        break;
      }
      Thread.sleep(500);
    }
    assertEquals("stopped", state);
    assertEquals(List.of(), processesOf("fg"));
    cli.run("rm", "fg").assertSuccess();
  }

  @Test
  void interruptedForegroundRunStopsTheApplianceBeforeItExits() throws Exception {
    try (ApplianceCli.Background run =
        cli.start("run", "--name", "ctrlc", "-p", "80", "tiny-web:0.1.0")) {
      long deadline = System.nanoTime() + BOOT.toNanos();
      while (run.stdoutSoFar().isBlank() && run.isAlive() && System.nanoTime() < deadline) {
        Thread.sleep(200);
      }
      String url = run.stdoutSoFar().strip();
      assertEquals("hi", Http.get(url + "greeting"), "healthy, default parameter");
      ProcessHandle handle = ProcessHandle.of(run.pid()).orElseThrow();
      handle.destroy(); // SIGTERM: the JVM runs the same shutdown path as for Ctrl-C (SIGINT)
      handle.onExit().get(90, java.util.concurrent.TimeUnit.SECONDS);
    }
    assertEquals(
        "stopped", instance("ctrlc").get("state").asText(), "stopped before `run` returned");
    assertEquals(List.of(), processesOf("ctrlc"));
    cli.run("rm", "ctrlc").assertSuccess();
  }

  @Test
  void runPullsAnImageThatIsNotLocal() throws Exception {
    try (LocalRegistry registry =
        LocalRegistry.builder(E2eEnvironment.freshDirectory("run-registry")).start()) {
      String remote = registry.address() + "/e2e/tiny-web:0.1.0";
      cli.run(Duration.ofMinutes(5), "push", "-q", "tiny-web:0.1.0", remote).assertSuccess();
      ApplianceCli other = ApplianceCli.forTest("run-pull"); // empty store
      try {
        CliResult run =
            other.run(BOOT, "run", "-d", "--name", "pulled", "-p", "80", remote).assertSuccess();
        assertTrue(run.stderr().contains("pulling " + remote), run.stderr());
        assertEquals("hi", Http.get(run.stdoutLines().get(0) + "greeting"));
      } finally {
        other.run("rm", "-f", "pulled");
      }
    }
  }

  /** The instance's entry in {@code ps --json}. */
  private static JsonNode instance(String name) throws IOException {
    for (JsonNode i : JSON.readTree(cli.run("ps", "--json").assertSuccess().stdout())) {
      if (i.get("name").asText().equals(name)) {
        return i;
      }
    }
    throw new AssertionError("no instance " + name + " in ps");
  }

  /** Command lines of live host processes marked as belonging to instance {@code name}. */
  private static List<String> processesOf(String name) throws IOException {
    String marker = "APPLIANCE_INSTANCE=" + cli.dirs().instances().resolve(name).toAbsolutePath();
    List<String> found = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        try {
          String env = new String(Files.readAllBytes(p.resolve("environ")), StandardCharsets.UTF_8);
          if (List.of(env.split("\0")).contains(marker)) {
            found.add(
                new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8)
                    .replace('\0', ' '));
          }
        } catch (IOException gone) {
          // exited meanwhile
        }
      }
    }
    return found;
  }
}
