package dev.appliance.runtime.instance;

import dev.appliance.runtime.net.PortMapping;
import dev.appliance.runtime.net.PublishedPort;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/** Helpers for tests that boot real guests. */
final class Guests {
  static final Duration BOOT_TIMEOUT = Duration.ofSeconds(240);

  /**
   * tcg emulates every instruction: its boots took 58-139 s in CI runs here and over 240 s once on
   * the CI machine, with the suite's other phases on the same two cores.
   */
  private static final Duration TCG_BOOT_TIMEOUT = Duration.ofSeconds(600);

  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).build();

  private Guests() {}

  /** How long a test waits for a guest of {@code engine} to become healthy. */
  static Duration bootTimeout(String engine) {
    return "tcg".equals(engine) ? TCG_BOOT_TIMEOUT : BOOT_TIMEOUT;
  }

  static RunRequest request(
      String name,
      String engine,
      List<String> ports,
      Map<String, String> params,
      Map<String, byte[]> secrets,
      List<String> volumes) {
    return request(name, engine, ports, params, secrets, volumes, RunRequest.Isolation.DEFAULT);
  }

  static RunRequest request(
      String name,
      String engine,
      List<String> ports,
      Map<String, String> params,
      Map<String, byte[]> secrets,
      List<String> volumes,
      RunRequest.Isolation isolation) {
    return new RunRequest(
        TestImage.REFERENCE,
        name,
        ports.stream().map(PortMapping::parse).toList(),
        null,
        null,
        engine,
        params,
        secrets,
        volumes.stream().map(VolumeMount::parse).toList(),
        isolation);
  }

  static RunRequest request(String name, String engine) {
    return request(name, engine, List.of("80"), Map.of(), Map.of(), List.of());
  }

  /** GET a page of the test appliance through the first published port for guest port 80. */
  static String get(InstanceInfo info, String path) throws IOException, InterruptedException {
    PublishedPort port =
        info.ports().stream().filter(p -> p.guestPort() == 80).findFirst().orElseThrow();
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(
                    URI.create("http://" + port.connectAddress() + ":" + port.hostPort() + path))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    if (response.statusCode() != 200) {
      throw new IOException(path + ": HTTP " + response.statusCode());
    }
    return response.body().strip();
  }

  static void progress(String line) {
    System.out.println("  progress: " + line);
  }
}
