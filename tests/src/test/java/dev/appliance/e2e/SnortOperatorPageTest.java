package dev.appliance.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.appliance.e2e.support.E2eEnvironment;
import dev.appliance.e2e.support.EndToEnd;
import dev.appliance.e2e.support.HeadlessChromium;
import dev.appliance.e2e.support.OperatorPage;
import dev.appliance.e2e.support.OperatorPage.Row;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The snort appliance's operator page without a VM: the guest's real operator interface
 * (recipes/snort/files/appliance-ids-alerts, run on the host by serve-operator-interface.py with
 * its paths moved to this test's directory) serves the real page files to Debian's headless
 * chromium, over a hand-written eve.json whose alerts carry HTML in their signature and URL, as
 * hostile traffic can. SnortSensorE2eTest checks the same page on a booted sensor.
 */
@EndToEnd
class SnortOperatorPageTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String HTML_SIGNATURE =
      "<img src=x onerror=\"window.pwned='signature'\">APPLIANCE-IDS <b>markup</b> in msg";
  private static final String HTML_URL = "/?q=<script>window.pwned='url'</script>";

  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private Path work;
  private Process server;
  private String base;
  private String token;

  @BeforeEach
  void serve() throws Exception {
    work = E2eEnvironment.freshDirectory("snort-page");
    byte[] random = new byte[24];
    new SecureRandom().nextBytes(random);
    token = Base64.getUrlEncoder().encodeToString(random);
    Files.writeString(work.resolve("token"), token + "\n");
    Files.writeString(
        work.resolve("active.rules"),
        "# the image's rules\n"
            + "alert http any any -> any any (msg:\"a\"; content:\"a\"; sid:1000001;)\n"
            + "alert http any any -> any any (msg:\"b\"; content:\"b\"; sid:1000002;)\n");
    Files.writeString(
        work.resolve("eve.json"),
        alert("2026-12-05T03:00:01.000001+0000", 1000001, "APPLIANCE-IDS test marker", 3, "/")
            + alert("2026-12-05T03:00:02.000002+0000", 1000002, "APPLIANCE-IDS shellshock", 1, "/")
            + alert("2026-12-05T03:00:03.000003+0000", 1000003, "APPLIANCE-IDS ping", 3, null)
            + alert("2026-12-05T03:00:04.000004+0000", 1000009, HTML_SIGNATURE, 2, HTML_URL));
    Path repository = E2eEnvironment.repository();
    server =
        new ProcessBuilder(
                "/usr/bin/python3",
                Path.of("src/test/resources/ids/serve-operator-interface.py")
                    .toAbsolutePath()
                    .toString(),
                repository.resolve("recipes/snort/files/appliance-ids-alerts").toString(),
                repository.resolve("recipes/snort/files/operator-page").toString(),
                work.toString())
            .redirectErrorStream(true)
            .redirectOutput(work.resolve("server.log").toFile())
            .start();
    Path port = work.resolve("port");
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!Files.exists(port)) {
      if (!server.isAlive() || System.nanoTime() > deadline) {
        fail(
            "the operator interface did not start: "
                + Files.readString(work.resolve("server.log")));
      }
      Thread.sleep(100);
    }
    base = "http://127.0.0.1:" + Files.readString(port).strip();
  }

  @AfterEach
  void stop() throws Exception {
    server.destroy();
    server.waitFor();
  }

  @Test
  void thePageListsFiltersAndRefreshesAlertsAsTextBehindTheToken() throws Exception {
    assertThePageIsServedWithAStrictPolicy();
    Path shots = Files.createDirectories(work.resolve("screenshots"));
    try (HeadlessChromium chromium = HeadlessChromium.start(work.resolve("chromium"))) {
      OperatorPage page = OperatorPage.open(chromium, base, "", shots);
      assertTrue(page.asksForToken(), "without a token the page asks for it");
      assertEquals(List.of(), page.rows());
      page.signIn(token);
      List<Row> rows =
          page.awaitRows(r -> r.size() == 4, WAIT, "the four alerts of eve.json after sign-in");
      assertEquals(
          List.of("1000009", "1000003", "1000002", "1000001"),
          rows.stream().map(Row::sid).toList(),
          "newest first");
      assertEquals(
          new Row(
              "2026-12-05T03:00:02.000002+0000",
              "APPLIANCE-IDS shellshock",
              "1000002",
              "198.51.100.8:40002",
              "192.168.50.10:80",
              "1 (high)",
              "GET victim.example/"),
          rows.get(2));
      assertEquals(HTML_SIGNATURE, rows.get(0).signature(), "HTML in a signature shown as text");
      assertEquals("GET victim.example" + HTML_URL, rows.get(0).request(), "and in a URL");
      assertEquals(0, page.elementsInAlertCells(), "no markup of an alert became an element");
      assertFalse(page.payloadRan(), "no script of an alert ran");
      // No engine runs on the host: /rules' JSON has the bundle state only, shown field by field.
      assertEquals(
          Map.of(
              "applied.bundle", "",
              "applied.digest", "",
              "last_update", "",
              "update_requested", "false"),
          page.rulesSummary(),
          "the rules state /rules answers");
      assertFalse(page.location().contains(token), page.location());
      page.screenshot("page-all");

      page.filter("1000002");
      page.awaitRows(
          r -> r.size() == 1 && r.get(0).sid().equals("1000002"), WAIT, "only sid 1000002");
      assertTrue(page.location().endsWith("/page#sid=1000002"), page.location());
      Files.writeString(
          work.resolve("eve.json"),
          alert("2026-12-05T03:00:05.000005+0000", 1000002, "APPLIANCE-IDS shellshock", 1, "/x")
              + alert("2026-12-05T03:00:06.000006+0000", 1000001, "APPLIANCE-IDS marker", 3, "/"),
          StandardOpenOption.APPEND);
      page.awaitRows(
          r -> r.size() == 2 && r.stream().allMatch(a -> a.sid().equals("1000002")),
          WAIT,
          "the new sid 1000002 alert, refreshed without a reload, and still only that sid");
      page.screenshot("page-sid-1000002");

      OperatorPage linked =
          OperatorPage.open(chromium, base, "#token=" + token + "&sid=1000001", shots);
      linked.awaitRows(
          r -> r.size() == 2 && r.stream().allMatch(a -> a.sid().equals("1000001")),
          WAIT,
          "the sid of the fragment, with the fragment's token");
      assertTrue(
          linked.location().endsWith("/page#sid=1000001"),
          "the token left the address bar: " + linked.location());

      OperatorPage wrong =
          OperatorPage.open(chromium, base, "#token=" + "x".repeat(token.length()), shots);
      String error = wrong.awaitError(WAIT);
      assertTrue(error.contains("token was refused"), error);
      assertTrue(wrong.asksForToken(), "a refused token: the page asks again");
      assertEquals(List.of(), wrong.rows(), "a refused token shows no alerts");
      wrong.screenshot("page-wrong-token");
      assertEquals(List.of(), chromium.problems(), "no error, exception or CSP violation");
      assertTrue(wrong.refusesInnerHtml(), "Trusted Types: innerHTML of a string throws");
      assertFalse(
          chromium.problems().isEmpty(), "and the violation is reported: " + chromium.problems());
    }
    String requests = Files.readString(work.resolve("requests.log"));
    assertTrue(requests.contains("GET /alerts?limit=200&sid=1000002 "), requests);
    assertFalse(requests.contains(token), "the token reached the server outside Authorization");
  }

  /** Headers of the page and of /alerts, as a browser gets them. */
  private void assertThePageIsServedWithAStrictPolicy() throws Exception {
    HttpResponse<String> page = get("/page", null);
    assertEquals(200, page.statusCode());
    String policy = page.headers().firstValue("Content-Security-Policy").orElse("");
    Set<String> directives =
        Set.of(policy.split(";\\s*")).stream().map(String::strip).collect(Collectors.toSet());
    assertTrue(directives.contains("default-src 'none'"), policy);
    assertTrue(directives.contains("script-src 'self'"), policy);
    assertTrue(directives.contains("require-trusted-types-for 'script'"), policy);
    assertFalse(policy.contains("unsafe"), policy);
    assertFalse(page.body().contains(token), "the page carries no secret");
    for (HttpResponse<String> r : List.of(page, get("/alerts", token), get("/page.js", null))) {
      assertEquals(
          "nosniff",
          r.headers().firstValue("X-Content-Type-Options").orElse(""),
          r.uri().toString());
      assertEquals(
          "no-store", r.headers().firstValue("Cache-Control").orElse(""), r.uri().toString());
    }
    assertEquals(401, get("/alerts", null).statusCode(), "the page is open, the alerts are not");
    HttpResponse<String> browser =
        http.send(
            HttpRequest.newBuilder(URI.create(base + "/")).header("Accept", "text/html").build(),
            HttpResponse.BodyHandlers.ofString());
    assertEquals(303, browser.statusCode());
    assertEquals("/page", browser.headers().firstValue("Location").orElse(""));
  }

  private HttpResponse<String> get(String path, String bearer) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path));
    if (bearer != null) {
      request.header("Authorization", "Bearer " + bearer);
    }
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
  }

  /** One EVE alert line, from 198.51.100.8 to 192.168.50.10:80 (HTTP when url is given). */
  private String alert(String time, int sid, String signature, int severity, String url)
      throws Exception {
    Map<String, Object> event =
        new java.util.LinkedHashMap<>(
            Map.of(
                "timestamp",
                time,
                "event_type",
                "alert",
                "src_ip",
                "198.51.100.8",
                "dest_ip",
                "192.168.50.10",
                "proto",
                url == null ? "ICMP" : "TCP",
                "alert",
                Map.of("signature_id", sid, "signature", signature, "severity", severity)));
    if (url != null) {
      event.put("src_port", 40000 + sid % 100);
      event.put("dest_port", 80);
      event.put("http", Map.of("http_method", "GET", "hostname", "victim.example", "url", url));
    }
    return json.writeValueAsString(event) + "\n";
  }
}
