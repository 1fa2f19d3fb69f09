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
import dev.appliance.runtime.disk.HostTool;
import dev.appliance.runtime.instance.VolumeStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A volume backup of a real instance on uml: refused while it runs, taken with --stop (which starts
 * it again), restored in a fresh APPLIANCE_HOME, where a new instance of the image (pulled from the
 * registry) serves the file the volume held.
 */
@EndToEnd
class VolumeBackupUmlE2eTest {
  private static final Duration BOOT = Duration.ofMinutes(5);
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void backupOfARunningInstanceRestoredOnAnotherHome() throws Exception {
    ApplianceCli cli = ApplianceCli.forTest("volume-backup-uml");
    ApplianceCli fresh = ApplianceCli.forTest("vbu-fresh");
    Path dir = E2eEnvironment.freshDirectory("vbu-registry");
    SharedAppliance.TINY_WEB.build().copyInto(cli);
    try (LocalRegistry registry = LocalRegistry.builder(dir).start()) {
      String ref = registry.address() + "/backups/web-data:1";
      String url = run(cli, "web", "tiny-web:0.1.0");

      // A file in the volume, written on the host while the instance is stopped.
      cli.run("stop", "web").assertSuccess();
      Path note = dir.resolve("note");
      Files.writeString(note, "kept in the volume\n");
      HostTool.run(
          List.of(
              "debugfs",
              "-w",
              "-R",
              "write " + note + " note",
              new VolumeStore(cli.dirs()).disk("web-data").toString()),
          dir);
      cli.run(BOOT, "start", "web").assertSuccess();
      assertEquals("kept in the volume", Http.get(url + "data/note").strip());

      CliResult refused = cli.run("volume", "backup", "web-data", ref).assertExit(2);
      assertTrue(refused.stderr().contains("--stop"), refused.stderr());

      JsonNode backup =
          JSON.readTree(
              cli.run(BOOT, "volume", "backup", "--stop", "--json", "web-data", ref)
                  .assertSuccess()
                  .stdout());
      assertEquals(List.of("web"), List.of(backup.get("restarted").get(0).asText()));
      assertEquals("kept in the volume", Http.get(url + "data/note").strip(), "started again");

      String image = registry.address() + "/apps/tiny-web:0.1.0";
      cli.run("push", "tiny-web:0.1.0", image).assertSuccess();
      CliResult restored = fresh.run("volume", "restore", ref, "web-data").assertSuccess();
      assertTrue(restored.stderr().contains("instance web"), restored.stderr());
      String freshUrl = run(fresh, "web2", image);
      assertEquals("kept in the volume", Http.get(freshUrl + "data/note").strip());
    } finally {
      cli.run("rm", "-f", "web");
      fresh.run("rm", "-f", "web2");
    }
  }

  private static String run(ApplianceCli cli, String name, String image) {
    CliResult run =
        cli.run(
                BOOT,
                "run",
                "-d",
                "--name",
                name,
                "--engine",
                "uml",
                "-p",
                "80",
                "--volume",
                "web-data:/srv/www/data",
                image)
            .assertSuccess();
    String url = run.stdoutLines().get(0);
    assertTrue(url.startsWith("http://127.0.0.1:"), run.stdout());
    return url.endsWith("/") ? url : url + "/";
  }
}
