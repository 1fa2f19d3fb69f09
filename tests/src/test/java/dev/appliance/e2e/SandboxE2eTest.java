package dev.appliance.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.e2e.support.ApplianceCli;
import dev.appliance.e2e.support.CliResult;
import dev.appliance.e2e.support.E2eEnvironment;
import dev.appliance.e2e.support.EndToEnd;
import dev.appliance.e2e.support.LocalRegistry;
import dev.appliance.registry.LoopbackListener;
import dev.appliance.registry.ProgramImages;
import dev.appliance.store.ImageStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A hostile image as a user meets it: pushed by skopeo to a real docker-registry, then {@code
 * appliance run REGISTRY/IMAGE}. Its UML "kernel" is a program
 * (runtime/src/test/resources/sandbox/escape-probe.c) that tries to read a file in the user's home,
 * write next to the instance in the appliance's home and connect to a host loopback port. In the
 * engine's sandbox all three fail, and run fails with exit 1, showing the engine's report.
 */
@EndToEnd
class SandboxE2eTest {
  private static final Path PROBE =
      E2eEnvironment.repository().resolve("runtime/src/test/resources/sandbox/escape-probe.c");

  @Test
  void hostileKernelFromARegistryIsConfinedAndRunReportsItsFailure() throws Exception {
    Path work = E2eEnvironment.freshDirectory("sandbox");
    ApplianceCli cli = ApplianceCli.forTest("sandbox-cli");
    Path homeFile =
        Path.of(
            System.getProperty("user.home"),
            ".appliance-e2e-sandbox-" + ProcessHandle.current().pid());
    Path outside = cli.home().resolve("escaped-from-the-sandbox");
    Files.writeString(homeFile, "a secret in the user's home\n");
    try (LocalRegistry registry = LocalRegistry.builder(work.resolve("registry")).start();
        LoopbackListener listener = new LoopbackListener()) {
      Path probe =
          ProgramImages.compile(
              PROBE,
              work.resolve("escape-probe"),
              Map.of(
                  "HOME_FILE",
                  "\"" + homeFile + "\"",
                  "OUTSIDE_FILE",
                  "\"" + outside + "\"",
                  "LOOPBACK_PORT",
                  Integer.toString(listener.port())));
      ImageStore layout = ImageStore.open(work.resolve("layout"));
      ProgramImages.umlKernelImage(
          layout,
          "escape-probe:1",
          ProgramImages.withHostLibc("usr/bin/linux.uml", probe),
          "/usr/bin/linux.uml");
      String remote = registry.address() + "/e2e/escape-probe:1";
      skopeo(
          "copy",
          "--dest-tls-verify=false",
          "oci:" + layout.root() + ":" + layout.tags().get(0).name(),
          "docker://" + remote);

      CliResult run =
          cli.run(Duration.ofMinutes(3), "run", "--name", "probe", "--engine", "uml", remote)
              .assertExit(1);
      String err = run.stderr();
      assertTrue(err.contains("pulling " + remote), err);
      assertTrue(err.contains("exited with status 1 before the appliance was up"), err);
      assertTrue(err.contains("probe read-home: ENOENT"), err);
      assertTrue(
          err.contains("probe write-outside: ENOENT") || err.contains("probe write-outside: EROFS"),
          err);
      assertTrue(
          err.contains("probe connect-loopback: ECONNREFUSED")
              || err.contains("probe connect-loopback: ENETUNREACH"),
          err);
      assertFalse(err.contains("SUCCEEDED"), err);
      assertEquals(0, listener.accepted(), "no connection reached the host's loopback listener");
      assertEquals(
          List.of(),
          markedProcesses(cli.dirs().instances().resolve("probe")),
          "no process left by the failed run");
    } finally {
      Files.deleteIfExists(homeFile);
      cli.run("rm", "-f", "probe");
    }
    assertFalse(Files.exists(outside), "nothing written outside the instance directory");
  }

  private static void skopeo(String... args) throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(List.of("skopeo"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(
        p.waitFor(2, TimeUnit.MINUTES) && p.exitValue() == 0,
        "skopeo " + String.join(" ", args) + ": " + output);
  }

  /** Live host processes carrying the instance's marker. */
  private static List<Long> markedProcesses(Path instance) throws IOException {
    byte[] marker =
        ("APPLIANCE_INSTANCE=" + instance.toAbsolutePath()).getBytes(StandardCharsets.UTF_8);
    List<Long> found = new java.util.ArrayList<>();
    try (var procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        try {
          String env = new String(Files.readAllBytes(p.resolve("environ")), StandardCharsets.UTF_8);
          if (List.of(env.split("\0")).contains(new String(marker, StandardCharsets.UTF_8))) {
            found.add(Long.parseLong(p.getFileName().toString()));
          }
        } catch (IOException gone) {
          // exited meanwhile
        }
      }
    }
    return found;
  }
}
