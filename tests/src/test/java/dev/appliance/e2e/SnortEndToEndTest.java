package dev.appliance.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.appliance.e2e.support.ApplianceCli;
import dev.appliance.e2e.support.CliResult;
import dev.appliance.e2e.support.E2eEnvironment;
import dev.appliance.e2e.support.EndToEnd;
import dev.appliance.e2e.support.LocalRegistry;
import dev.appliance.e2e.support.SharedAppliance;
import dev.appliance.e2e.support.SnortSensor;
import dev.appliance.e2e.support.SyslogReceiver;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The Snort-rule IDS appliance, end to end with real parts: the run's shared builds of snort and
 * lamp ({@link SharedAppliance}, built with the committed lock files; compared for their common
 * base layers), push it to a real registry, pull it into another home, boot it on User-Mode Linux
 * with a rules file given at run time and a syslog target on this host, send traffic through its
 * published port and read the alerts where operators would: the alerts endpoint, with the operator
 * token that run generated (or, on a second instance, one given with --secret), and syslog. The
 * token opens nothing else and shows up nowhere else. Prints the measurements ("[snort] ...") on
 * stderr.
 */
@EndToEnd
@Tag("slow")
class SnortEndToEndTest {
  private static final Duration RUN_TIMEOUT = Duration.ofMinutes(20);

  /**
   * From the request to the alert on the endpoint; Suricata needs ~1 s, a loaded host much more.
   */
  private static final Duration ALERT_TIMEOUT = Duration.ofSeconds(90);

  private static final String IMAGE = "snort:1.0.0";
  private static final String INSTANCE = "ids";

  private static final int TEST_MARKER_SID = 1000001;
  private static final int RUNTIME_RULE_SID = 1000101;

  /** A rule the image does not have, in Snort syntax, given as a file at run time. */
  private static final String RUNTIME_RULES =
      """
            # given at run time with --param-file rules=FILE; Snort syntax (http_uri modifier)
            alert tcp any any -> $HOME_NET 80 (msg:"E2E run-time rule"; flow:to_server,established; \
            content:"e2e-runtime-marker"; http_uri; classtype:misc-activity; sid:%d; rev:1;)
            """
          .formatted(RUNTIME_RULE_SID);

  private final ObjectMapper json = new ObjectMapper();

  /** The operator token of the instance under test. */
  private String token = "";

  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  @Test
  void sensorBuiltPushedPulledAndRunOnUmlAlertsOnItsRulesOnly() throws Exception {
    ApplianceCli builder = ApplianceCli.forTest("snort-build");
    SharedAppliance.Build build = SharedAppliance.SNORT.build();
    build.copyInto(builder);
    JsonNode built = SnortSensor.inspect(builder, IMAGE);
    assertEquals(build.digest(), built.get("digest").asText(), "the shared build is in the store");
    measured(
        "build (base layer included, empty cache; the run's shared build)",
        seconds(build.buildTime()));
    measured("image size", built.get("totalSize").asLong() / 1_000_000 + " MB compressed");

    assertSharesTheBaseLayersOfLamp(built);

    ApplianceCli runner = ApplianceCli.forTest("snort-run");
    try (LocalRegistry registry =
            LocalRegistry.builder(E2eEnvironment.freshDirectory("snort-registry")).start();
        SyslogReceiver syslog = SyslogReceiver.udp()) {
      String remote = registry.address() + "/ops/snort:1.0.0";
      builder.run(RUN_TIMEOUT, "push", IMAGE, remote).assertSuccess();
      runner.run(RUN_TIMEOUT, "pull", remote).assertSuccess();
      assertEquals(
          built.get("digest").asText(),
          SnortSensor.inspect(runner, remote).get("digest").asText(),
          "the pulled image is the built one");

      Path rules = Files.writeString(runner.home().resolveSibling("e2e.rules"), RUNTIME_RULES);
      try (SnortSensor sensor =
          SnortSensor.start(
              runner,
              remote,
              INSTANCE,
              "uml",
              "--param-file",
              "rules=" + rules,
              // 10.0.2.2 is this host as the guest's user-mode network sees it; the test's
              // syslog collector listens on 127.0.0.1, which guests reach only when allowed.
              "--allow-host-loopback",
              "--param",
              "syslog_target=10.0.2.2:" + syslog.port())) {
        CliResult run = sensor.run();
        measured("run -d until healthy (disk assembly included)", seconds(run.elapsed()));
        Matcher healthy = Pattern.compile("healthy after ([0-9.]+) s").matcher(run.stderr());
        if (healthy.find()) {
          measured("boot to healthy", healthy.group(1) + " s");
        }
        String alerts = sensor.alerts();
        String service = sensor.service();

        // No ids_token given: run generated one, and only `appliance secret` shows it.
        token = sensor.token();
        assertTrue(
            token.matches("[A-Za-z0-9_-]{32}"),
            "a 192-bit base64url token, not " + token.length() + " characters");
        assertTrue(
            run.stderr()
                .contains(
                    "generated the secret ids_token; `appliance secret ids ids_token` shows it"),
            run.stderr());
        assertFalse(
            run.stdout().contains(token) || run.stderr().contains(token), "run printed the token");
        assertOperatorInterfaceNeedsTheToken(alerts);
        assertEngineRunsWithTheImageAndRuntimeRules(alerts);
        assertAlertsOnlyForMatchingTraffic(alerts, service);
        assertAlertForwardedToSyslog(syslog);
        assertTokenOnNoCommandLine(token);
        assertTokenNotLogged(runner, token);

        runner.run(RUN_TIMEOUT, "stop", INSTANCE).assertSuccess();
        runner.run(RUN_TIMEOUT, "rm", INSTANCE).assertSuccess();
      }
      assertFalse(
          runner.run("ps").assertSuccess().stdout().contains(INSTANCE), "rm removed the instance");
      assertNoProcessLeft(runner);

      assertTokenInNoImageLayer(runner, token);

      assertUnhealthyWithoutRules(runner, remote, rules.resolveSibling("snort3-only.rules"));
      assertNoProcessLeft(runner);
    }
  }

  /**
   * /alerts and /rules answer only the operator token (RFC 6750 bearer): no header, a wrong token
   * of the same length, or another scheme get 401 and a challenge; /healthz stays open for the
   * runtime's health check.
   */
  private void assertOperatorInterfaceNeedsTheToken(String alerts) throws Exception {
    String sameLength = token.substring(1) + (token.charAt(0) == 'A' ? 'B' : 'A');
    for (String path : List.of("/alerts", "/rules")) {
      HttpResponse<String> none = get(alerts + path);
      assertEquals(401, none.statusCode(), path + " without a token: " + none.body());
      assertEquals(
          "Bearer realm=\"appliance-ids\"",
          none.headers().firstValue("WWW-Authenticate").orElse(""));
      for (String wrong : List.of("Bearer " + sameLength, "Bearer ", "Basic " + token, token)) {
        HttpResponse<String> refused = get(alerts + path, wrong);
        assertEquals(
            401,
            refused.statusCode(),
            path
                + " with Authorization '"
                + wrong.replace(token, "TOKEN")
                + "': "
                + refused.body());
        assertTrue(
            refused.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer "),
            path);
        assertFalse(refused.body().contains(token), "a refusal never echoes the token");
      }
    }
    HttpResponse<String> allowed = operator(alerts + "/alerts");
    assertEquals(200, allowed.statusCode(), allowed.body());
    assertTrue(json.readTree(allowed.body()).isArray(), allowed.body());
    assertEquals(200, get(alerts + "/healthz").statusCode(), "/healthz needs no token");
  }

  /** No process on this host, the appliance's or any other, carries the token in its arguments. */
  private static void assertTokenOnNoCommandLine(String token) throws IOException {
    byte[] needle = token.getBytes(StandardCharsets.US_ASCII);
    List<String> carriers = new ArrayList<>();
    int read = 0;
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        try {
          if (indexOf(Files.readAllBytes(proc.resolve("cmdline")), needle) >= 0) {
            carriers.add(proc.getFileName().toString());
          }
          read++;
        } catch (IOException gone) {
          // exited meanwhile
        }
      }
    }
    assertTrue(read > 10, "read the command lines of " + read + " processes");
    assertEquals(List.of(), carriers, "processes with the token on their command line");
  }

  /**
   * Neither the guest's console (appliance logs) nor the instance's own files but its keepers show
   * the token.
   */
  private static void assertTokenNotLogged(ApplianceCli runner, String token) throws IOException {
    String logs = runner.run("logs", INSTANCE).assertSuccess().stdout();
    assertTrue(
        logs.contains("appliance-ids-token: using the ids_token secret"),
        "the guest used the secret");
    assertFalse(logs.contains(token), "the token is in appliance logs");
    Path dir = runner.dirs().instances().resolve(INSTANCE);
    // config.img carries it to the guest, secrets/ids_token keeps it for `appliance secret`: both
    // 0600.
    Set<String> keepers = Set.of("config.img", "secrets/ids_token");
    byte[] needle = token.getBytes(StandardCharsets.US_ASCII);
    try (Stream<Path> files = Files.walk(dir)) {
      for (Path file : files.filter(Files::isRegularFile).toList()) {
        String name = dir.relativize(file).toString();
        if (keepers.contains(name)) {
          assertEquals(
              "rw-------",
              java.nio.file.attribute.PosixFilePermissions.toString(
                  Files.getPosixFilePermissions(file)),
              name);
        } else if (!isGuestDisk(name)) {
          assertEquals(-1, indexOf(Files.readAllBytes(file), needle), "the token is in " + name);
        }
      }
    }
  }

  /**
   * The guest's own disks in the instance directory: its writable layer (disk.*) and the image's
   * root disk (base-DIGEST.img, one per image the instance ran, kept for rollback).
   */
  private static boolean isGuestDisk(String name) {
    return name.startsWith("disk.") || (name.startsWith("base") && name.endsWith(".img"));
  }

  /** The token is made at run time: no layer of the image in the store holds it. */
  private static void assertTokenInNoImageLayer(ApplianceCli runner, String token)
      throws IOException {
    byte[] needle = token.getBytes(StandardCharsets.US_ASCII);
    int layers = 0;
    try (Stream<Path> blobs =
        Files.list(runner.dirs().store().resolve("blobs").resolve("sha256"))) {
      for (Path blob : blobs.toList()) {
        try (var in = new java.io.BufferedInputStream(Files.newInputStream(blob))) {
          in.mark(2);
          boolean gzip = in.read() == 0x1f && in.read() == 0x8b;
          in.reset();
          var content = gzip ? new java.util.zip.GZIPInputStream(in, 1 << 16) : in;
          assertFalse(contains(content, needle), "the token is in blob " + blob.getFileName());
          layers += gzip ? 1 : 0;
        }
      }
    }
    assertTrue(layers >= 5, "searched " + layers + " layers");
  }

  /** Streams {@code in} looking for {@code needle}, keeping an overlap between chunks. */
  private static boolean contains(java.io.InputStream in, byte[] needle) throws IOException {
    byte[] buffer = new byte[1 << 20];
    int kept = 0;
    int n;
    while ((n = in.read(buffer, kept, buffer.length - kept)) > 0) {
      int filled = kept + n;
      if (indexOf(java.util.Arrays.copyOf(buffer, filled), needle) >= 0) {
        return true;
      }
      kept = Math.min(needle.length - 1, filled);
      System.arraycopy(buffer, filled - kept, buffer, 0, kept);
    }
    return false;
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  /**
   * Same Debian 13 base as lamp: the layers of the base recipe are byte-identical, though the run's
   * shared lamp and snort were each built cold in a home of their own.
   */
  private void assertSharesTheBaseLayersOfLamp(JsonNode snort) throws IOException {
    SharedAppliance.Build lamp = SharedAppliance.LAMP.build();
    JsonNode lampLayers = SnortSensor.inspect(lamp.reader("snort"), "lamp:1.1.0").get("layers");
    JsonNode snortLayers = snort.get("layers");
    for (int i = 0; i < 2; i++) { // "base debian-trixie" and "files debian-base"
      assertTrue(
          snortLayers.get(i).get("name").asText().contains("debian"), snortLayers.toString());
      assertEquals(
          lampLayers.get(i).get("digest").asText(),
          snortLayers.get(i).get("digest").asText(),
          "layer " + i + " (" + snortLayers.get(i).get("name").asText() + ") is shared with lamp");
    }
    assertFalse(
        lampLayers.get(2).get("digest").asText().equals(snortLayers.get(2).get("digest").asText()),
        "the packages layers differ");
  }

  private void assertEngineRunsWithTheImageAndRuntimeRules(String alerts) throws Exception {
    HttpResponse<String> health = get(alerts + "/healthz");
    assertEquals(200, health.statusCode(), health.body());
    JsonNode report = json.readTree(health.body());
    // local.rules has three rules, the run-time file one.
    assertEquals(4, report.get("rules_loaded").asInt(), health.body());
    assertEquals(0, report.get("rules_failed").asInt(), health.body());
    assertFalse(report.get("interface").asText().isEmpty(), health.body());
    String loaded = operator(alerts + "/rules/active").body();
    assertTrue(
        loaded.contains("sid:" + TEST_MARKER_SID) && loaded.contains("sid:" + RUNTIME_RULE_SID),
        loaded);
  }

  private void assertAlertsOnlyForMatchingTraffic(String alerts, String service) throws Exception {
    assertEquals("[]", operator(alerts + "/alerts").body().strip(), "no alert before any traffic");
    HttpResponse<String> benign = get(service + "/index.html?e2e-benign-request");
    assertEquals(200, benign.statusCode());
    assertTrue(benign.body().contains("Monitored service"), benign.body());

    long sent = System.nanoTime();
    get(service + "/?appliance-ids-test");
    JsonNode marker = awaitAlert(alerts, TEST_MARKER_SID);
    measured("traffic to visible alert", seconds(Duration.ofNanos(System.nanoTime() - sent)));
    assertEquals(
        "APPLIANCE-IDS test marker in request", marker.get("alert").get("signature").asText());
    assertTrue(
        marker.get("http").get("url").asText().contains("appliance-ids-test"), marker.toString());
    assertEquals(80, marker.get("dest_port").asInt());

    get(service + "/?e2e-runtime-marker");
    JsonNode runtime = awaitAlert(alerts, RUNTIME_RULE_SID);
    assertEquals("E2E run-time rule", runtime.get("alert").get("signature").asText());

    // The benign request went first: by now Suricata has inspected it, and it matched nothing.
    JsonNode all = json.readTree(operator(alerts + "/alerts").body());
    List<Integer> sids = new ArrayList<>();
    for (JsonNode alert : all) {
      sids.add(alert.get("alert").get("signature_id").asInt());
      assertFalse(
          alert.toString().contains("e2e-benign-request"), "benign traffic raised " + alert);
    }
    assertTrue(Set.of(TEST_MARKER_SID, RUNTIME_RULE_SID).containsAll(sids), "alerts: " + sids);
  }

  private void assertAlertForwardedToSyslog(SyslogReceiver syslog) throws InterruptedException {
    String line =
        syslog
            .await(s -> s.contains("[1:" + TEST_MARKER_SID + ":1]"), ALERT_TIMEOUT)
            .orElseGet(
                () ->
                    fail(
                        "no syslog message for sid "
                            + TEST_MARKER_SID
                            + "; got "
                            + syslog.messages()));
    assertTrue(line.contains("APPLIANCE-IDS test marker in request"), line);
    assertTrue(line.startsWith("<33>"), "facility auth, severity alert, as Snort: " + line);
  }

  /**
   * Suricata runs, but none of the rules it was given loaded (a Snort 3 keyword it lacks): the
   * health check must say so instead of passing on a running process. This instance gets its
   * ids_token from the operator (--secret): that token, not the previous instance's, opens /rules,
   * and run keeps no copy of it.
   */
  private void assertUnhealthyWithoutRules(ApplianceCli runner, String image, Path rules)
      throws Exception {
    Files.writeString(
        rules,
        "alert tcp any any -> $HOME_NET 80 (msg:\"Snort 3 only\"; sd_pattern:\"credit_card\";"
            + " sid:1000301; rev:1;)\n");
    int port = freePort();
    String name = "ids-norules";
    String given = "operator-chosen.token-0123456789";
    Path tokenFile = Files.writeString(rules.resolveSibling("ids.token"), given + "\n");
    try (ApplianceCli.Background run =
        runner.start(
            "run",
            image,
            "-d",
            "--name",
            name,
            "--engine",
            "uml",
            "-p",
            "127.0.0.1:" + port + ":8080",
            "--param",
            "rules_mode=replace",
            "--param-file",
            "rules=" + rules,
            "--secret",
            "ids_token=@" + tokenFile,
            "--timeout",
            String.valueOf(RUN_TIMEOUT.toSeconds()))) {
      HttpResponse<String> health =
          awaitHealthAnswer(
              "http://127.0.0.1:" + port + "/healthz", body -> body.contains("rules_loaded"));
      assertEquals(503, health.statusCode(), health.body());
      JsonNode report = json.readTree(health.body());
      assertEquals(0, report.get("rules_loaded").asInt(), health.body());
      assertEquals(1, report.get("rules_failed").asInt(), health.body());
      assertTrue(report.get("pid").isInt(), "Suricata itself runs: " + health.body());
      String rulesUrl = "http://127.0.0.1:" + port + "/rules/active";
      assertEquals(
          401,
          get(rulesUrl, "Bearer " + token).statusCode(),
          "the first instance's token opens only it");
      HttpResponse<String> loaded = get(rulesUrl, "Bearer " + given);
      assertEquals(200, loaded.statusCode(), loaded.body());
      assertTrue(loaded.body().contains("sid:1000301"), loaded.body());
      runner.run("secret", name, "ids_token").assertExit(2);
      assertTrue(run.isAlive(), "run -d still waits for a health check that cannot pass");
      runner.run(RUN_TIMEOUT, "rm", "-f", name).assertSuccess();
      CliResult failed = run.waitFor(RUN_TIMEOUT);
      assertTrue(
          failed.exitCode() != 0,
          "run -d must fail: the appliance never became healthy\n" + failed.stderr());
    } finally {
      if (runner.run("ps").stdout().contains(name)) {
        runner.run(RUN_TIMEOUT, "rm", "-f", name);
      }
    }
  }

  /**
   * The first answer of the health endpoint that passes {@code wanted}, while the appliance boots.
   */
  private HttpResponse<String> awaitHealthAnswer(
      String url, java.util.function.Predicate<String> wanted) throws InterruptedException {
    long deadline = System.nanoTime() + RUN_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> answer = get(url);
        if (wanted.test(answer.body())) {
          return answer;
        }
      } catch (IOException notUpYet) {
        // the guest is still booting: nothing listens behind the published port yet
      }
      Thread.sleep(1000);
    }
    return fail("no health answer from " + url + " within " + RUN_TIMEOUT.toSeconds() + " s");
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /**
   * Nothing of the instance runs any more: its processes carry APPLIANCE_INSTANCE
   * (docs/operations.md).
   */
  private static void assertNoProcessLeft(ApplianceCli runner) throws IOException {
    String marker = "APPLIANCE_INSTANCE=" + runner.dirs().instances();
    List<String> left = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        try {
          String environ =
              new String(Files.readAllBytes(proc.resolve("environ")), StandardCharsets.UTF_8);
          if (environ.contains(marker)) {
            left.add(
                proc.getFileName()
                    + ": "
                    + Files.readString(proc.resolve("cmdline")).replace('\0', ' '));
          }
        } catch (IOException gone) {
          // exited meanwhile, or not ours to read
        }
      }
    }
    assertEquals(List.of(), left, "processes left after rm");
  }

  /** Polls the alerts endpoint until an alert of {@code sid} shows up. */
  private JsonNode awaitAlert(String alerts, int sid) throws Exception {
    long deadline = System.nanoTime() + ALERT_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode found = json.readTree(operator(alerts + "/alerts?sid=" + sid).body());
      if (found.size() > 0) {
        return found.get(found.size() - 1);
      }
      Thread.sleep(200);
    }
    return fail(
        "no alert with sid "
            + sid
            + " within "
            + ALERT_TIMEOUT.toSeconds()
            + " s; alerts: "
            + operator(alerts + "/alerts").body());
  }

  private HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(url)));
  }

  /** GET on the operator interface with the token, as an operator would. */
  private HttpResponse<String> operator(String url) throws IOException, InterruptedException {
    return get(url, "Bearer " + token);
  }

  private HttpResponse<String> get(String url, String authorization)
      throws IOException, InterruptedException {
    return send(HttpRequest.newBuilder(URI.create(url)).header("Authorization", authorization));
  }

  private HttpResponse<String> send(HttpRequest.Builder request)
      throws IOException, InterruptedException {
    return http.send(
        request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String seconds(Duration elapsed) {
    return String.format("%.1f s", elapsed.toMillis() / 1000.0);
  }

  private static void measured(String what, String value) {
    System.err.println("[snort] " + what + ": " + value);
  }
}
