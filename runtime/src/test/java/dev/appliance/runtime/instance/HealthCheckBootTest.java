package dev.appliance.runtime.instance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.ApplianceException;
import dev.appliance.runtime.net.PortMapping;
import dev.appliance.runtime.net.PublishedPort;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * tcp health checks with real guests whose services listen {@link LateServiceImage#DELAY_SECONDS}
 * after boot: {@code run} returns only once the guest's service accepts, never on the user-mode
 * network's own host-side accept.
 */
class HealthCheckBootTest extends BootTest {
  /**
   * Long enough for the guest's network to come up and refuse, which the failure must say (30 s was
   * enough at load 4.7), short because the test waits all of it (it was 90 s).
   */
  private static final Duration NEVER_HEALTHY_TIMEOUT = Duration.ofSeconds(40);

  @ParameterizedTest
  @ValueSource(strings = {"uml", "tcg"})
  void runWaitsForASilentServiceThatListensLate(String engine) throws Exception {
    String image = LateServiceImage.withTcpHealth(dirs, LateServiceImage.SILENT_PORT);
    InstanceInfo info =
        manager.run(
            request(image, "late", engine),
            TestImage.resolver(dirs),
            false,
            Guests.bootTimeout(engine),
            Guests::progress);
    assertEquals(engine, info.engine());
    // Right after run: the service that was checked answers a client.
    assertEquals("ok", get(info, LateServiceImage.SILENT_PORT));
    assertTrue(
        healthySeconds(info) >= LateServiceImage.DELAY_SECONDS,
        "healthy only after the service started listening: " + info.events());
  }

  @Test
  void runWaitsForAServiceThatSpeaksFirst() throws Exception {
    String image = LateServiceImage.withTcpHealth(dirs, LateServiceImage.BANNER_PORT);
    InstanceInfo info =
        manager.run(
            request(image, "banner", "uml"),
            TestImage.resolver(dirs),
            false,
            Guests.BOOT_TIMEOUT,
            Guests::progress);
    PublishedPort port = port(info, LateServiceImage.BANNER_PORT);
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(port.connectAddress(), port.hostPort()), 3000);
      s.setSoTimeout(5000);
      InputStream in = s.getInputStream();
      assertEquals(
          LateServiceImage.BANNER + "\n",
          new String(
              in.readNBytes(LateServiceImage.BANNER.length() + 1), StandardCharsets.US_ASCII));
    }
    assertTrue(healthySeconds(info) >= LateServiceImage.DELAY_SECONDS, info.events()::toString);
  }

  @Test
  void aPortWhereNothingListensTimesOutSayingSo() throws Exception {
    String image = LateServiceImage.withTcpHealth(dirs, LateServiceImage.NOTHING_PORT);
    ApplianceException e =
        assertThrows(
            ApplianceException.class,
            () ->
                manager.run(
                    request(image, "never", "uml"),
                    TestImage.resolver(dirs),
                    false,
                    NEVER_HEALTHY_TIMEOUT,
                    Guests::progress));
    String first = e.getMessage().lines().findFirst().orElseThrow();
    assertTrue(
        first.startsWith(
            "never did not become healthy within "
                + NEVER_HEALTHY_TIMEOUT.toSeconds()
                + " s on uml (waiting for tcp 127.0.0.1:"),
        first);
    assertTrue(
        first.endsWith(
            "(guest port 9999): the guest refused the connection (nothing listens on it yet))"),
        first);
    assertEquals("stopped", manager.info("never").state(), "a failed run stops the instance");
  }

  private static RunRequest request(String image, String name, String engine) {
    return new RunRequest(
        image,
        name,
        List.of(
            PortMapping.parse(Integer.toString(LateServiceImage.SILENT_PORT)),
            PortMapping.parse(Integer.toString(LateServiceImage.BANNER_PORT))),
        null,
        null,
        engine,
        Map.of(),
        Map.of(),
        List.of(),
        RunRequest.Isolation.DEFAULT);
  }

  private static PublishedPort port(InstanceInfo info, int guestPort) {
    return info.ports().stream().filter(p -> p.guestPort() == guestPort).findFirst().orElseThrow();
  }

  private static String get(InstanceInfo info, int guestPort) throws Exception {
    PublishedPort port = port(info, guestPort);
    var response =
        java.net.http.HttpClient.newHttpClient()
            .send(
                java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(
                            "http://" + port.connectAddress() + ":" + port.hostPort() + "/healthz"))
                    .timeout(Duration.ofSeconds(5))
                    .build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode());
    return response.body().strip();
  }

  /**
   * Seconds from the engine's start to the health check passing, from the "healthy after" event.
   */
  private static double healthySeconds(InstanceInfo info) {
    Pattern healthy = Pattern.compile("healthy after ([0-9.]+) s on ");
    return info.events().stream()
        .map(healthy::matcher)
        .filter(Matcher::find)
        .mapToDouble(m -> Double.parseDouble(m.group(1)))
        .reduce((a, b) -> b)
        .orElseThrow();
  }
}
