package dev.appliance.e2e.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A snort sensor booted with {@code appliance run -d --json} for a suite: its operator port (8080)
 * and demo service (80) published on the host's loopback, the operator token that run generated,
 * and GETs on the operator interface with that token. Closing it saves the guest's console under
 * the CLI's work directory (for a failed run) and removes the instance.
 *
 * @param cli the CLI whose home holds the instance
 * @param name the instance's name
 * @param run what {@code run} printed (its stdout is the instance as JSON)
 * @param instance {@code run}'s JSON
 * @param alerts the operator interface, {@code http://127.0.0.1:PORT}
 * @param service the demo service, {@code http://127.0.0.1:PORT}
 * @param token the operator token ({@code appliance secret NAME ids_token})
 */
public record SnortSensor(
    ApplianceCli cli,
    String name,
    CliResult run,
    JsonNode instance,
    String alerts,
    String service,
    String token)
    implements AutoCloseable {
  public static final Duration RUN_TIMEOUT = Duration.ofMinutes(20);

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(10))
          .build();

  /**
   * Runs {@code image} as {@code name} on {@code engine} and waits until it is healthy; {@code
   * options} are run's other options (parameters, secrets, --capture-from, ...).
   */
  public static SnortSensor start(
      ApplianceCli cli, String image, String name, String engine, String... options)
      throws IOException {
    List<String> args =
        new ArrayList<>(
            List.of(
                "run",
                image,
                "-d",
                "--json",
                "--name",
                name,
                "--engine",
                engine,
                "-p",
                "8080",
                "-p",
                "80"));
    args.addAll(List.of(options));
    CliResult run = cli.run(RUN_TIMEOUT, args.toArray(String[]::new));
    if (run.exitCode() != 0) {
      cli.run(RUN_TIMEOUT, "rm", "-f", name); // what a failed run -d left
      run.assertSuccess();
    }
    boolean started = false;
    try {
      JsonNode instance = JSON.readTree(run.stdout());
      assertEquals(engine, instance.get("engine").asText(), "the engine asked for");
      String token = cli.run("secret", name, "ids_token").assertSuccess().stdout().strip();
      SnortSensor sensor =
          new SnortSensor(
              cli,
              name,
              run,
              instance,
              "http://127.0.0.1:" + hostPort(instance, 8080),
              "http://127.0.0.1:" + hostPort(instance, 80),
              token);
      started = true;
      return sensor;
    } finally {
      if (!started) {
        cli.run(RUN_TIMEOUT, "rm", "-f", name);
      }
    }
  }

  /** The host port publishing {@code guestPort}, bound to 127.0.0.1 (the default). */
  public int hostPort(int guestPort) {
    return hostPort(instance, guestPort);
  }

  /** GET {@code path} on the operator interface with the operator token. */
  public HttpResponse<String> operator(String path) throws IOException, InterruptedException {
    return get(alerts + path, "Bearer " + token);
  }

  /** GET {@code path} on the operator interface with the token: its JSON, which must be 200. */
  public JsonNode operatorJson(String path) throws IOException, InterruptedException {
    HttpResponse<String> response = operator(path);
    assertEquals(200, response.statusCode(), path + ": " + response.body());
    return JSON.readTree(response.body());
  }

  /** The alerts of {@code sid} on /alerts (the last 1000 kept). */
  public JsonNode alertsOf(int sid) throws IOException, InterruptedException {
    return operatorJson("/alerts?limit=1000&sid=" + sid);
  }

  /** Waits until /alerts holds at least {@code count} alerts of {@code sid}; returns them. */
  public JsonNode awaitAlerts(int sid, int count, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode found = alertsOf(sid);
      if (found.size() >= count) {
        return found;
      }
      Thread.sleep(500);
    }
    return fail(
        "fewer than "
            + count
            + " alerts of sid "
            + sid
            + " after "
            + timeout.toSeconds()
            + " s: "
            + operator("/alerts").body());
  }

  /** POST /rules/update with the token and {@code body} (JSON). */
  public HttpResponse<String> postRulesUpdate(String body)
      throws IOException, InterruptedException {
    return send(
        HttpRequest.newBuilder(URI.create(alerts + "/rules/update"))
            .header("Authorization", "Bearer " + token)
            .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  /** POST /rules/update with {@code body}, which must be accepted; waits for its outcome. */
  public JsonNode updateRules(String body, JsonNode previous, Duration timeout) throws Exception {
    HttpResponse<String> accepted = postRulesUpdate(body);
    assertEquals(202, accepted.statusCode(), accepted.body());
    return awaitRulesUpdate(previous, timeout);
  }

  /** /rules once a rules update other than {@code previous} (null: any) finished. */
  public JsonNode awaitRulesUpdate(JsonNode previous, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonNode rules = null;
    while (System.nanoTime() < deadline) {
      rules = operatorJson("/rules");
      JsonNode last = rules.path("last_update");
      if (!last.isNull()
          && !last.isMissingNode()
          && !last.equals(previous)
          && !rules.path("update_requested").asBoolean()
          && rules.path("engine").has("pid")) {
        return rules;
      }
      Thread.sleep(1000);
    }
    return fail("no rules update finished within " + timeout.toSeconds() + " s: " + rules);
  }

  /** Waits until {@code appliance ps --json} shows an event containing {@code fragment}. */
  public void awaitEvent(String fragment, Duration timeout) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    String ps = "";
    while (System.nanoTime() < deadline) {
      ps = cli.run("ps", "--json").assertSuccess().stdout();
      if (ps.contains(fragment)) {
        return;
      }
      Thread.sleep(500);
    }
    fail("no event '" + fragment + "' in " + ps);
  }

  /** GET {@code url} with an Authorization header ({@code null}: none). */
  public static HttpResponse<String> get(String url, String authorization)
      throws IOException, InterruptedException {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(30));
    if (authorization != null) {
      request.header("Authorization", authorization);
    }
    return send(request);
  }

  public static HttpResponse<String> send(HttpRequest.Builder request)
      throws IOException, InterruptedException {
    return HTTP.send(
        request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Saves the guest's console to {@code NAME-guest.log} beside the CLI's home; removes it. */
  @Override
  public void close() throws IOException {
    CliResult logs = cli.run("logs", name);
    if (logs.exitCode() == 0) { // else the suite removed it already
      Files.writeString(cli.home().resolveSibling(name + "-guest.log"), logs.stdout());
      cli.run(RUN_TIMEOUT, "rm", "-f", name);
    }
  }

  private static int hostPort(JsonNode instance, int guestPort) {
    for (JsonNode port : instance.get("ports")) {
      if (port.get("guestPort").asInt() == guestPort) {
        assertEquals("127.0.0.1", port.get("address").asText(), "published on loopback by default");
        return port.get("hostPort").asInt();
      }
    }
    return fail("guest port " + guestPort + " is not published: " + instance);
  }

  /** The image's JSON from {@code appliance inspect}. */
  public static JsonNode inspect(ApplianceCli cli, String image) throws IOException {
    return JSON.readTree(cli.run("inspect", image, "--json").assertSuccess().stdout());
  }
}
