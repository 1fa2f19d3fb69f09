package dev.appliance.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.appliance.e2e.support.ApplianceCli;
import dev.appliance.e2e.support.CliResult;
import dev.appliance.e2e.support.EndToEnd;
import dev.appliance.e2e.support.HeadlessChromium;
import dev.appliance.e2e.support.OperatorPage;
import dev.appliance.e2e.support.OperatorPage.Row;
import dev.appliance.e2e.support.SharedAppliance;
import dev.appliance.e2e.support.SnortSensor;
import dev.appliance.e2e.support.SyslogReceiver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The snort appliance as a sensor on a capture interface, end to end with real parts: a pcap made
 * with scapy (attacks matching the shipped rules, a shellshock probe, pings, benign HTTP and DNS)
 * is replayed with {@code run --capture-from} into the capture interface of the run's shared snort
 * build booted on User-Mode Linux. One boot checks every case: the expected sids on /alerts and on
 * the operator page in Debian's headless chromium (sid filter, a wrong token, an alert carrying
 * HTML shown as text; screenshots under target/e2e/snort-sensor/screenshots), benign traffic raises
 * nothing, the alerts reach two syslog collectors as EVE JSON (RFC 5424 over TCP, RFC 3164 over
 * UDP), and the guest sends nothing out of the capture interface. One more boot, under QEMU TCG,
 * checks the capture interface there: the same sids, nothing sent out of it.
 */
@EndToEnd
class SnortSensorE2eTest {
  private static final Duration RUN_TIMEOUT = SnortSensor.RUN_TIMEOUT;
  private static final Duration ALERT_TIMEOUT = Duration.ofSeconds(120);
  private static final String INSTANCE = "sensor";
  private static final String IMAGE = SharedAppliance.SNORT.tag();

  /** What make-pcaps.py's attacks must raise: the marker, shellshock, ICMP echo. */
  private static final Set<Integer> EXPECTED = Set.of(1000001, 1000002, 1000003);

  private static final String BENIGN_SOURCE = "203.0.113.5";

  /** A run-time rule whose message is HTML, fired by a request whose URL is HTML too. */
  private static final int HTML_SID = 1000010;

  private static final String HTML_SIGNATURE =
      "APPLIANCE-IDS <img src=x onerror=window.pwned=1> <b>html</b> probe";
  private static final String HTML_URL = "/?appliance-ids-html=<script>window.pwned=2</script>";

  private final ObjectMapper json = new ObjectMapper();

  @Test
  void replayedPcapRaisesTheExpectedAlertsEverywhereAndNothingLeavesTheCaptureInterface()
      throws Exception {
    ApplianceCli cli = ApplianceCli.forTest("snort-sensor");
    SharedAppliance.SNORT.build().copyInto(cli);
    Path pcap = makePcap(cli);
    JsonNode image = SnortSensor.inspect(cli, IMAGE);
    assertEquals(
        "[{\"name\":\"capture\",\"role\":\"capture\"}]",
        image.get("labels").path("dev.appliance.networks").asText(),
        "the image says it has a capture interface");

    Path htmlRule =
        Files.writeString(
            pcap.resolveSibling("html.rules"),
            "alert tcp any any -> $HOME_NET 80 (msg:\""
                + HTML_SIGNATURE
                + "\"; flow:to_server,established; content:\"appliance-ids-html\";"
                + " classtype:misc-activity; sid:"
                + HTML_SID
                + "; rev:1;)\n");
    Set<Integer> sensorSids;
    try (SyslogReceiver tcp = SyslogReceiver.tcp();
        SyslogReceiver udp = SyslogReceiver.udp();
        SnortSensor sensor =
            SnortSensor.start(
                cli,
                IMAGE,
                INSTANCE,
                "uml",
                "--capture-from",
                "pcap:" + pcap + ",rate=recorded",
                "--allow-host-loopback",
                "--param-file",
                "rules=" + htmlRule,
                "--param",
                "syslog_targets=tcp://10.0.2.2:"
                    + tcp.port()
                    + ",udp://10.0.2.2:"
                    + udp.port()
                    + "/rfc3164")) {
      assertSelfTestStillWorksThroughTheManagementNic(sensor);
      sensorSids = assertTheReplayRaisesTheExpectedSidsOnly(sensor, 34, ALERT_TIMEOUT);

      assertEquals(
          EXPECTED, tcp.awaitSids(EXPECTED, ALERT_TIMEOUT), "RFC 5424 over TCP: " + tcp.messages());
      for (String m : tcp.messages()) {
        assertTrue(m.matches("<33>1 \\S+Z \\S+ suricata - alert - \\{.*\\}"), m);
      }
      assertEquals(
          EXPECTED, udp.awaitSids(EXPECTED, ALERT_TIMEOUT), "RFC 3164 over UDP: " + udp.messages());
      for (String m : udp.messages()) {
        assertTrue(
            m.matches("<33>[A-Z][a-z]{2} [ 0-9]\\d \\d\\d:\\d\\d:\\d\\d \\S+ suricata: \\{.*\\}"),
            m);
      }
      // Last: its HTML probe raises one more sid, which the collectors must not have seen above.
      assertTheOperatorPageShowsTheAlerts(cli, sensor);

      assertNothingLeftTheCaptureInterface(sensor);
    }
    assertOfflineAnalysisGivesTheSameAlerts(cli, pcap, sensorSids);
  }

  /**
   * The capture interface booted under QEMU without KVM (what hosts without usable KVM or UML fall
   * back to): one boot, the same replay, the same sids, nothing sent out of it. The rest (page,
   * syslog, offline analysis) does not depend on the engine and is checked on uml above.
   *
   * <p>The replay starts at "healthy". Under TCG on a loaded host Suricata's af-packet threads were
   * measured starting minutes after its first stats, and frames replayed before were lost: so
   * /healthz also waits for a packet socket on every watched interface, and this replay, sent at
   * once, must lose nothing.
   */
  @Test
  void theCaptureInterfaceWorksTheSameOnTcg() throws Exception {
    ApplianceCli cli = ApplianceCli.forTest("snort-sensor-tcg");
    SharedAppliance.SNORT.build().copyInto(cli);
    Path pcap = makePcap(cli);
    try (SnortSensor sensor =
        SnortSensor.start(
            cli,
            IMAGE,
            INSTANCE,
            "tcg",
            "--capture-from",
            "pcap:" + pcap + ",rate=recorded",
            // emulated, a loaded host boots it in minutes, not the image's default seconds
            "--timeout",
            String.valueOf(SnortSensor.RUN_TIMEOUT.toSeconds()))) {
      assertEquals(
          EXPECTED,
          assertTheReplayRaisesTheExpectedSidsOnly(sensor, 34, ALERT_TIMEOUT.multipliedBy(3)));
      assertNothingLeftTheCaptureInterface(sensor);
    }
  }

  /** The attacks' sids on /alerts with their details, and no alert from benign traffic. */
  private Set<Integer> assertTheReplayRaisesTheExpectedSidsOnly(
      SnortSensor sensor, int frames, Duration timeout) throws Exception {
    JsonNode health = json.readTree(SnortSensor.get(sensor.alerts() + "/healthz", null).body());
    assertTrue(
        health.get("interface").asText().startsWith("capture "),
        "watches the capture interface and the management NIC: " + health);
    // Healthy means every capture thread polls: Suricata's own per-thread counters say so.
    JsonNode polls = health.path("capture_thread_polls");
    List<String> captureThreads = new ArrayList<>();
    polls
        .fieldNames()
        .forEachRemaining(
            thread -> {
              if (thread.endsWith("-capture")) {
                captureThreads.add(thread);
                assertTrue(polls.get(thread).asLong() > 0, thread + " polls: " + health);
              }
            });
    assertFalse(captureThreads.isEmpty(), "no capture thread's counters in " + health);

    Map<Integer, JsonNode> bySid = awaitSids(sensor, timeout);
    assertEquals(
        "APPLIANCE-IDS shellshock probe",
        bySid.get(1000002).get("alert").get("signature").asText());
    assertEquals("198.51.100.8", bySid.get(1000002).get("src_ip").asText());
    assertEquals("192.168.50.10", bySid.get(1000001).get("dest_ip").asText());

    sensor.awaitEvent("capture capture: replayed " + frames + " frames", timeout);
    Set<Integer> sids = new TreeSet<>();
    for (JsonNode alert : sensor.operatorJson("/alerts?limit=1000")) {
      if (alert.get("src_ip").asText().startsWith("10.0.2.")) {
        continue; // the self-test through the management NIC
      }
      assertFalse(
          BENIGN_SOURCE.equals(alert.get("src_ip").asText())
              || BENIGN_SOURCE.equals(alert.get("dest_ip").asText()),
          "benign traffic raised " + alert);
      assertTrue(
          EXPECTED.contains(alert.get("alert").get("signature_id").asInt()), "alert " + alert);
      sids.add(alert.get("alert").get("signature_id").asInt());
    }
    return sids;
  }

  /** Stops the guest: the runtime counted what it sent into the capture interface's socket. */
  private static void assertNothingLeftTheCaptureInterface(SnortSensor sensor) throws Exception {
    sensor.cli().run(SnortSensor.RUN_TIMEOUT, "stop", sensor.name()).assertSuccess();
    sensor.awaitEvent("capture capture: the guest sent 0 frames out of it", ALERT_TIMEOUT);
  }

  /** The test's traffic (make-pcaps.py, scapy) beside the CLI's home. */
  private static Path makePcap(ApplianceCli cli) throws Exception {
    Path pcap = cli.home().resolveSibling("sensor.pcap");
    Files.createDirectories(pcap.getParent());
    Process make =
        new ProcessBuilder(
                "/usr/bin/python3",
                Path.of("src/test/resources/ids/make-pcaps.py").toAbsolutePath().toString(),
                pcap.toString())
            .inheritIO()
            .start();
    assertEquals(0, make.waitFor(), "make-pcaps.py (needs python3-scapy)");
    return pcap;
  }

  /**
   * {@code appliance analyze}: the image's Suricata over the same pcap, without booting, gives the
   * sensor's sids as EVE JSON on stdout; a malformed pcap is refused as invalid input.
   */
  private void assertOfflineAnalysisGivesTheSameAlerts(
      ApplianceCli cli, Path pcap, Set<Integer> sensorSids) throws Exception {
    CliResult analyze =
        cli.run(RUN_TIMEOUT, "analyze", "snort:1.0.0", "--pcap", pcap.toString()).assertSuccess();
    Set<Integer> offline = new TreeSet<>();
    for (String line : analyze.stdout().strip().split("\n")) {
      JsonNode alert = json.readTree(line);
      assertEquals("alert", alert.get("event_type").asText(), line);
      assertFalse(line.contains(BENIGN_SOURCE), "benign traffic raised " + line);
      offline.add(alert.get("alert").get("signature_id").asInt());
    }
    assertEquals(EXPECTED, offline);
    assertEquals(sensorSids, offline, "offline analysis and the sensor agree");

    Path truncated = pcap.resolveSibling("truncated.pcap");
    byte[] whole = Files.readAllBytes(pcap);
    Files.write(truncated, java.util.Arrays.copyOf(whole, whole.length - 3));
    CliResult refused = cli.run("analyze", "snort:1.0.0", "--pcap", truncated.toString());
    assertEquals(2, refused.exitCode(), refused.stderr());
    assertTrue(refused.stderr().contains("truncated frame"), refused.stderr());
  }

  /** What worked before capture interfaces: a request through a published port still alerts. */
  private static void assertSelfTestStillWorksThroughTheManagementNic(SnortSensor sensor)
      throws Exception {
    SnortSensor.get(sensor.service() + "/?appliance-ids-test", null);
    long deadline = System.nanoTime() + ALERT_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      for (JsonNode alert : sensor.alertsOf(1000001)) {
        if (alert.get("src_ip").asText().equals("10.0.2.2")) {
          return;
        }
      }
      Thread.sleep(500);
    }
    fail("no self-test alert from 10.0.2.2: " + sensor.operator("/alerts").body());
  }

  /**
   * The operator page in Debian's headless chromium, signed in with the token: the replayed sids,
   * an alert raised after the page loaded (its own refresh) whose signature and URL carry HTML,
   * shown as text; the sid filter; a wrong token shows an error and no alerts.
   */
  private void assertTheOperatorPageShowsTheAlerts(ApplianceCli cli, SnortSensor sensor)
      throws Exception {
    String alerts = sensor.alerts();
    String token = sensor.token();
    Path shots = Files.createDirectories(cli.home().resolveSibling("screenshots"));
    try (HeadlessChromium chromium =
        HeadlessChromium.start(cli.home().resolveSibling("chromium"))) {
      OperatorPage page = OperatorPage.open(chromium, alerts, "", shots);
      page.signIn(token);
      page.awaitRows(r -> sids(r).containsAll(EXPECTED), ALERT_TIMEOUT, "the sids " + EXPECTED);

      sendRawRequest(sensor.hostPort(80), "GET " + HTML_URL + " HTTP/1.0\r\nHost: sensor\r\n\r\n");
      List<Row> rows =
          page.awaitRows(
              r -> sids(r).contains(HTML_SID),
              ALERT_TIMEOUT,
              "the alert of a request sent after it loaded");
      Row html = rows.stream().filter(r -> r.sid().equals("" + HTML_SID)).findFirst().get();
      assertEquals(HTML_SIGNATURE, html.signature(), "HTML in a signature shown as text");
      assertTrue(html.request().endsWith(HTML_URL), "HTML in a URL shown as text: " + html);
      assertTrue(html.source().startsWith("10.0.2.2:"), html.toString());
      assertEquals(0, page.elementsInAlertCells(), "no markup of an alert became an element");
      assertFalse(page.payloadRan(), "no script of an alert ran");
      JsonNode shellshock = sensor.operatorJson("/alerts?sid=1000002&limit=1").get(0);
      Row shown = rows.stream().filter(r -> r.sid().equals("1000002")).findFirst().get();
      assertEquals(shellshock.get("timestamp").asText(), shown.time());
      assertEquals("198.51.100.8:" + shellshock.get("src_port").asInt(), shown.source());
      assertEquals("192.168.50.10:80", shown.destination());
      assertEquals(
          shellshock.get("alert").get("severity").asText(), shown.severity().split(" ")[0]);
      Map<String, String> rules = page.rulesSummary();
      assertEquals(
          "4",
          rules.get("engine.rules_loaded"),
          "the image's three rules and the run-time one, as /rules counts them: " + rules);
      assertEquals("0", rules.get("engine.rules_failed"), rules.toString());
      page.screenshot("sensor-page");

      page.filter("1000002");
      page.awaitRows(
          r -> sids(r).equals(Set.of(1000002)), ALERT_TIMEOUT, "only sid 1000002 after the filter");
      page.screenshot("sensor-page-sid-1000002");

      OperatorPage wrong =
          OperatorPage.open(chromium, alerts, "#token=" + "A".repeat(token.length()), shots);
      String error = wrong.awaitError(ALERT_TIMEOUT);
      assertTrue(error.contains("token was refused"), error);
      assertEquals(List.of(), wrong.rows(), "a wrong token shows no alerts");
      wrong.screenshot("sensor-page-wrong-token");
      assertEquals(List.of(), chromium.problems(), "no error, exception or CSP violation");
    }
  }

  private static Set<Integer> sids(List<Row> rows) {
    return rows.stream().map(r -> Integer.parseInt(r.sid())).collect(Collectors.toSet());
  }

  /** A request as raw bytes: HTML in its URL, which no URI class would let through. */
  private static void sendRawRequest(int port, String request) throws IOException {
    try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
      socket.setSoTimeout(30_000);
      socket.getOutputStream().write(request.getBytes(StandardCharsets.US_ASCII));
      socket.getInputStream().readAllBytes();
    }
  }

  private static Map<Integer, JsonNode> awaitSids(SnortSensor sensor, Duration timeout)
      throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    Map<Integer, JsonNode> bySid = Map.of();
    while (System.nanoTime() < deadline) {
      JsonNode all = sensor.operatorJson("/alerts?limit=1000");
      bySid =
          java.util.stream.StreamSupport.stream(all.spliterator(), false)
              .collect(
                  Collectors.toMap(
                      a -> a.get("alert").get("signature_id").asInt(),
                      Function.identity(),
                      (a, b) -> a));
      if (bySid.keySet().containsAll(EXPECTED)) {
        return bySid;
      }
      Thread.sleep(500);
    }
    return fail("sids on /alerts after " + timeout + ": " + bySid.keySet());
  }
}
