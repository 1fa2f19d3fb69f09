package dev.appliance.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.appliance.oci.ImageReference;
import dev.appliance.store.ImageStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A repository's tag list. */
class TagListTest {
  private static final RegistryOptions OPTIONS =
      RegistryOptions.defaults()
          .withRetry(new RetryPolicy(1, Duration.ZERO))
          .withDockerConfig(Path.of("/nonexistent/config.json"));

  @TempDir Path dir;

  private static RegistryClient client(String image) {
    ImageReference ref = ImageReference.parse(image);
    RegistrySession session = RegistrySession.open(ref, OPTIONS, TransferListener.NONE);
    return new RegistryClient(session.endpoint(), ref.repository(), session.credential(), false);
  }

  @Test
  void aRealRegistryListsEveryTagPushed() throws Exception {
    try (RegistryServer registry = RegistryServer.plain(dir.resolve("registry"))) {
      ImageStore local = ImageStore.open(dir.resolve("local"));
      TestImages.image(local, "app:1", List.of(TestImages.layer(local, 1, 1_000)));
      for (String tag : List.of("b", "a", "c")) {
        new ImagePusher(local, OPTIONS, TransferListener.NONE)
            .push("app:1", registry.host() + "/ops/app:" + tag);
      }
      // Debian's docker-registry keeps its own order and ignores the page size.
      assertEquals(
          List.of("a", "b", "c"),
          client(registry.host() + "/ops/app:a").tags(100).stream().sorted().toList());
    }
  }

  /**
   * Pages linked by {@code Link: <...>; rel="next"}, as the distribution spec describes; Debian's
   * registry does not page, so a stand-in serves them.
   */
  @Test
  void everyLinkedPageIsFollowed() throws Exception {
    List<String> asked = new CopyOnWriteArrayList<>();
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/v2/",
        exchange -> {
          String query = exchange.getRequestURI().getRawQuery();
          asked.add(exchange.getRequestURI().getRawPath() + "?" + query);
          if (exchange.getRequestURI().getPath().equals("/v2/")) {
            reply(exchange, "{}");
          } else if ("n=1".equals(query)) {
            exchange
                .getResponseHeaders()
                .add("Link", "</v2/ops/app/tags/list?n=1&last=a>; rel=\"next\"");
            reply(exchange, "{\"name\":\"ops/app\",\"tags\":[\"a\"]}");
          } else {
            reply(exchange, "{\"name\":\"ops/app\",\"tags\":[\"b\"]}");
          }
        });
    server.start();
    try {
      String host = "127.0.0.1:" + server.getAddress().getPort();
      assertEquals(List.of("a", "b"), client(host + "/ops/app:a").tags(1));
      assertEquals(
          List.of("/v2/ops/app/tags/list?n=1", "/v2/ops/app/tags/list?n=1&last=a"),
          asked.stream().filter(path -> path.contains("tags")).toList());
    } finally {
      server.stop(0);
    }
  }

  private static void reply(HttpExchange exchange, String json) throws IOException {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }
}
