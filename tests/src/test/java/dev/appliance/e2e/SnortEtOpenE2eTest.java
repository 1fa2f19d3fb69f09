package dev.appliance.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.appliance.e2e.support.ApplianceCli;
import dev.appliance.e2e.support.E2eEnvironment;
import dev.appliance.e2e.support.EndToEnd;
import dev.appliance.e2e.support.RulesTarballServer;
import dev.appliance.e2e.support.SharedAppliance;
import dev.appliance.e2e.support.SnortSensor;
import dev.appliance.e2e.support.TestCertificates;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * ET Open through the image's real suricata-update, end to end: the sensor booted on User-Mode
 * Linux with {@code rules_et_open=yes} fetches an ET-Open-format tarball that this test generates
 * and serves over HTTPS ({@link RulesTarballServer}, standing in for the ET Open download server,
 * which the test machines cannot reach; its test CA given as the rules_bundle_ca secret, so TLS is
 * verified). Its rules go through the same {@code suricata -T} gate and live reload as bundles:
 * applied at boot, the rule fires; a tarball with a rule Suricata rejects, then a file that is no
 * tarball, are refused and the old rules keep firing; a good new tarball hot-reloads a new sid
 * without restarting Suricata. /rules shows the source, the count and each result.
 */
@EndToEnd
class SnortEtOpenE2eTest {
  private static final Duration UPDATE_TIMEOUT = Duration.ofMinutes(5);
  private static final Duration ALERT_TIMEOUT = Duration.ofSeconds(120);
  private static final String PATH = "/open/suricata-7.0.10/emerging.rules.tar.gz";

  private static final String ONE =
      "alert http any any -> any any (msg:\"ET TEST appliance one\"; content:\"appliance-et-one\";"
          + " http_uri; classtype:misc-activity; sid:2100001; rev:1;)\n";
  private static final String TWO =
      "alert http any any -> any any (msg:\"ET TEST appliance two\"; content:\"appliance-et-two\";"
          + " http_uri; classtype:misc-activity; sid:2100002; rev:1;)\n";
  private static final String BROKEN =
      "alert http any any -> any any (msg:\"ET TEST broken\"; content:\"x\"; no_such_keyword;"
          + " sid:2100003; rev:1;)\n";

  @Test
  void etOpenComesThroughSuricataUpdateAndTheSameGateAndBadTarballsLeaveTheOldRules()
      throws Exception {
    ApplianceCli cli = ApplianceCli.forTest("snort-et-open");
    SharedAppliance.SNORT.build().copyInto(cli);
    Path work = E2eEnvironment.freshDirectory("snort-et-open-source");
    // The guest reaches this host's loopback as 10.0.2.2: the certificate names that address.
    TestCertificates ca = TestCertificates.issue(work.resolve("ca"), "10.0.2.2");
    try (RulesTarballServer et = RulesTarballServer.start(ca, PATH)) {
      et.serve(tarball(ONE));
      String url = "https://10.0.2.2:" + et.port() + PATH;
      try (SnortSensor sensor =
          SnortSensor.start(
              cli,
              SharedAppliance.SNORT.tag(),
              "et-open",
              "uml",
              "--allow-host-loopback",
              "--param",
              "rules_et_open=yes",
              "--param",
              "rules_et_open_urls=" + url,
              "--secret",
              "rules_bundle_ca=@" + ca.caPem())) {
        JsonNode boot = sensor.awaitRulesUpdate(null, UPDATE_TIMEOUT);
        JsonNode last = boot.path("last_update");
        assertEquals("applied", last.path("result").asText(), boot.toString());
        JsonNode applied = boot.path("applied");
        assertEquals(
            url, applied.path("et_open").path("sources").path(0).asText(), boot.toString());
        assertEquals(1, applied.path("et_open").path("rules").asInt(), boot.toString());
        assertEquals(0, applied.path("rules_failed").asInt(), boot.toString());
        assertTrue(
            et.userAgents().get(0).startsWith("Suricata-Update/"),
            "suricata-update fetched it: " + et.userAgents());
        assertTrue(
            sensor.operator("/rules/active").body().contains("sid:2100001;"),
            "the running rules hold the source's rule");
        fire(sensor, "appliance-et-one");
        sensor.awaitAlerts(2100001, 1, ALERT_TIMEOUT);
        int pid = boot.path("engine").path("pid").asInt();
        int loaded = applied.path("rules_loaded").asInt();

        et.serve(tarball(ONE + TWO + BROKEN));
        JsonNode refused = sensor.updateRules("{}", last, UPDATE_TIMEOUT);
        last = refused.path("last_update");
        assertEquals("refused", last.path("result").asText(), refused.toString());
        assertTrue(
            last.path("message").asText().contains("suricata -T refused")
                && last.path("message").asText().contains("no_such_keyword"),
            refused.toString());
        assertOldRulesStillRun(sensor, refused, pid, loaded, 2);

        et.serve("<html>down for maintenance</html>".getBytes(StandardCharsets.UTF_8));
        JsonNode garbage = sensor.updateRules("{}", last, UPDATE_TIMEOUT);
        last = garbage.path("last_update");
        assertEquals("refused", last.path("result").asText(), garbage.toString());
        assertTrue(last.path("message").asText().contains("found no rules"), garbage.toString());
        assertOldRulesStillRun(sensor, garbage, pid, loaded, 3);

        et.serve(tarball(ONE + TWO));
        JsonNode updated = sensor.updateRules("{}", last, UPDATE_TIMEOUT);
        last = updated.path("last_update");
        assertEquals("applied", last.path("result").asText(), updated.toString());
        assertEquals(2, updated.path("applied").path("et_open").path("rules").asInt());
        assertEquals(loaded + 1, updated.path("applied").path("rules_loaded").asInt());
        assertEquals(pid, updated.path("engine").path("pid").asInt(), "Suricata not restarted");
        fire(sensor, "appliance-et-two");
        sensor.awaitAlerts(2100002, 1, ALERT_TIMEOUT);
      }
    }
  }

  /**
   * After a refused update: the same applied rules and engine, and the old rule fires for the
   * {@code count}th time while the refused tarball's new sid raises nothing.
   */
  private static void assertOldRulesStillRun(
      SnortSensor sensor, JsonNode rules, int pid, int loaded, int count) throws Exception {
    assertEquals(1, rules.path("applied").path("et_open").path("rules").asInt(), rules.toString());
    assertEquals(loaded, rules.path("engine").path("rules_loaded").asInt(), rules.toString());
    assertEquals(pid, rules.path("engine").path("pid").asInt(), "Suricata not restarted");
    fire(sensor, "appliance-et-two");
    fire(sensor, "appliance-et-one");
    sensor.awaitAlerts(2100001, count, ALERT_TIMEOUT);
    assertEquals(0, sensor.alertsOf(2100002).size(), "the refused rule runs");
  }

  private static byte[] tarball(String rules) throws Exception {
    return RulesTarballServer.etOpenTarball(
        Map.of("emerging-appliance.rules", rules, "LICENSE", "test rules, no licence\n"));
  }

  private static void fire(SnortSensor sensor, String marker) throws Exception {
    SnortSensor.get(sensor.service() + "/?" + marker, null);
  }
}
