package dev.appliance.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.appliance.e2e.support.ApplianceCli;
import dev.appliance.e2e.support.E2eEnvironment;
import dev.appliance.e2e.support.EndToEnd;
import dev.appliance.e2e.support.LocalRegistry;
import dev.appliance.e2e.support.SharedAppliance;
import dev.appliance.e2e.support.SnortSensor;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * Rules bundles end to end with real parts: bundles pushed with {@code appliance rules push} to a
 * real docker-registry, pulled by the snort sensor booted on User-Mode Linux (one boot), which
 * reaches the registry on the host's loopback only because the run allows it. The bundle pinned at
 * run time is applied at boot; a second one pinned through POST /rules/update is tested and
 * hot-reloaded: its new sid fires, and Suricata's pid is the same and its uptime kept growing (no
 * restart). A bundle with a rule Suricata rejects is refused by the {@code suricata -T} gate and
 * the old rules keep firing; a bundle whose blob the registry serves altered is refused by its
 * digest. /rules says each time what happened.
 */
@EndToEnd
class SnortRulesBundleE2eTest {
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(20);
  private static final Duration UPDATE_TIMEOUT = Duration.ofMinutes(5);
  private static final String INSTANCE = "rules";

  private static final String ONE =
      "alert http any any -> any any (msg:\"APPLIANCE-IDS bundle one\";"
          + " content:\"appliance-bundle-one\"; http_uri; classtype:misc-activity;"
          + " sid:1000101; rev:1;)\n";
  private static final String TWO =
      "alert http any any -> any any (msg:\"APPLIANCE-IDS bundle two\";"
          + " content:\"appliance-bundle-two\"; http_uri; classtype:misc-activity;"
          + " sid:1000102; rev:1;)\n";
  private static final String BROKEN =
      "alert http any any -> any any (msg:\"broken\"; content:\"x\"; no_such_keyword;"
          + " sid:1000103; rev:1;)\n";
  private static final String TAMPERED =
      "alert http any any -> any any (msg:\"tampered\"; content:\"appliance-bundle-four\";"
          + " http_uri; sid:1000104; rev:1;)\n";

  private final ObjectMapper json = new ObjectMapper();
  private SnortSensor sensor;

  @Test
  void bundlesArePulledTestedAndHotReloadedAndBadOnesLeaveTheOldRulesRunning() throws Exception {
    ApplianceCli cli = ApplianceCli.forTest("snort-rules");
    SharedAppliance.SNORT.build().copyInto(cli);
    Path work = E2eEnvironment.freshDirectory("snort-rules-bundles");
    try (LocalRegistry registry =
        LocalRegistry.builder(E2eEnvironment.freshDirectory("snort-rules-registry")).start()) {
      String one = push(cli, registry, work, "one", ONE);
      String two = push(cli, registry, work, "two", ONE + TWO);
      String broken = push(cli, registry, work, "broken", ONE + TWO + BROKEN);
      String tampered = push(cli, registry, work, "tampered", TAMPERED);
      alterLayer(registry, tampered);
      try (SnortSensor sensor =
          SnortSensor.start(
              cli,
              SharedAppliance.SNORT.tag(),
              INSTANCE,
              "uml",
              // 10.0.2.2 is this host as the guest's user-mode network sees it; the registry
              // listens on 127.0.0.1, which the guest reaches only when allowed.
              "--allow-host-loopback",
              "--param",
              "rules_bundle=" + guestView(one),
              "--param",
              "rules_bundle_insecure=yes")) {
        this.sensor = sensor;
        JsonNode boot = awaitUpdate(null);
        assertEquals("applied", boot.path("last_update").path("result").asText(), boot.toString());
        assertEquals(digestOf(one), boot.path("applied").path("digest").asText(), boot.toString());
        fire("appliance-bundle-two");
        fire("appliance-bundle-one");
        awaitAlerts(1000101, 1);
        assertEquals(0, alertCount(1000102), "bundle one has no sid 1000102");

        JsonNode applied = update(guestView(two), boot.path("last_update"));
        JsonNode last = applied.path("last_update");
        assertEquals("applied", last.path("result").asText(), applied.toString());
        assertEquals(digestOf(two), applied.path("applied").path("digest").asText());
        // the image's three rules and the bundle's two
        assertEquals(5, applied.path("applied").path("rules_loaded").asInt(), applied.toString());
        assertEquals(0, applied.path("applied").path("rules_failed").asInt(), applied.toString());
        int pid = last.path("engine_pid").asInt();
        assertEquals(pid, applied.path("engine").path("pid").asInt(), "Suricata was not restarted");
        assertTrue(
            last.path("uptime_after").asInt() > last.path("uptime_before").asInt(),
            "Suricata's uptime went on: " + last);
        fire("appliance-bundle-two");
        awaitAlerts(1000102, 1);

        JsonNode refused = update(guestView(broken), last);
        assertEquals("refused", refused.path("last_update").path("result").asText());
        assertTrue(
            refused.path("last_update").path("message").asText().contains("suricata -T refused")
                && refused.path("last_update").path("message").asText().contains("no_such_keyword"),
            refused.toString());
        assertEquals(digestOf(two), refused.path("applied").path("digest").asText());
        assertEquals(pid, refused.path("engine").path("pid").asInt());
        fire("appliance-bundle-two");
        awaitAlerts(1000102, 2);

        JsonNode altered = update(guestView(tampered), refused.path("last_update"));
        assertEquals("refused", altered.path("last_update").path("result").asText());
        assertTrue(
            altered
                .path("last_update")
                .path("message")
                .asText()
                .contains("does not match its digest"),
            altered.toString());
        assertEquals(digestOf(two), altered.path("applied").path("digest").asText());

        assertEquals(
            401,
            SnortSensor.send(
                    HttpRequest.newBuilder(URI.create(sensor.alerts() + "/rules/update"))
                        .POST(HttpRequest.BodyPublishers.ofString("{}")))
                .statusCode(),
            "an update needs the operator token");
        HttpResponse<String> unpinned =
            post("{\"bundle\": \"" + guestView(two).replace("@sha256:", ":latest#") + "\"}");
        assertEquals(
            400, unpinned.statusCode(), "a bundle is pinned by digest: " + unpinned.body());
      }
    }
  }

  /** Pushes one bundle (site.rules) and returns what rules push printed: REPOSITORY@sha256:... */
  private String push(
      ApplianceCli cli, LocalRegistry registry, Path work, String name, String rules)
      throws Exception {
    Path dir = Files.createDirectories(work.resolve(name));
    Files.writeString(dir.resolve("site.rules"), rules);
    String pinned =
        cli.run("rules", "push", dir.toString(), registry.address() + "/ids/rules:" + name)
            .assertSuccess()
            .stdout()
            .strip();
    assertTrue(
        pinned.matches(registry.address().replace(".", "\\.") + "/ids/rules@sha256:[0-9a-f]{64}"),
        pinned);
    return pinned;
  }

  /** Rewrites one byte of the bundle's layer in the registry's storage: it serves it altered. */
  private void alterLayer(LocalRegistry registry, String pinned) throws Exception {
    JsonNode manifest = json.readTree(Files.readAllBytes(blobFile(registry, digestOf(pinned))));
    Path layer = blobFile(registry, manifest.path("layers").get(0).path("digest").asText());
    byte[] data = Files.readAllBytes(layer);
    String text = new String(data, StandardCharsets.ISO_8859_1);
    int at = text.indexOf("appliance-bundle-four");
    data[at] = 'A';
    Files.write(layer, data);
  }

  private static Path blobFile(LocalRegistry registry, String digest) {
    String hex = digest.substring("sha256:".length());
    return registry
        .storage()
        .resolve("docker/registry/v2/blobs/sha256/" + hex.substring(0, 2) + "/" + hex + "/data");
  }

  private static String digestOf(String pinned) {
    return pinned.substring(pinned.indexOf('@') + 1);
  }

  private static String guestView(String pinned) {
    return pinned.replace("127.0.0.1:", "10.0.2.2:");
  }

  /** POST /rules/update pinning {@code bundle}; waits for the outcome on /rules. */
  private JsonNode update(String bundle, JsonNode previous) throws Exception {
    return sensor.updateRules("{\"bundle\": \"" + bundle + "\"}", previous, UPDATE_TIMEOUT);
  }

  /** /rules once an update other than {@code previous} (null: any) finished. */
  private JsonNode awaitUpdate(JsonNode previous) throws Exception {
    return sensor.awaitRulesUpdate(previous, UPDATE_TIMEOUT);
  }

  private void fire(String marker) throws Exception {
    SnortSensor.get(sensor.service() + "/?" + marker, null);
  }

  private void awaitAlerts(int sid, int count) throws Exception {
    sensor.awaitAlerts(sid, count, Duration.ofSeconds(120));
  }

  private int alertCount(int sid) throws Exception {
    return sensor.alertsOf(sid).size();
  }

  private HttpResponse<String> get(String path) throws Exception {
    return sensor.operator(path);
  }

  private HttpResponse<String> post(String body) throws Exception {
    return sensor.postRulesUpdate(body);
  }
}
