package dev.appliance.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The plain-HTTP context: plain requests go through, and it makes no TLS connection at all. */
class TlsContextsTest {
  private HttpServer server;
  private String authority;

  @BeforeEach
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/v2/",
        exchange -> {
          exchange.sendResponseHeaders(200, -1);
          exchange.close();
        });
    server.start();
    authority = "127.0.0.1:" + server.getAddress().getPort();
  }

  @AfterEach
  void stop() {
    server.stop(0);
  }

  @Test
  void thePlainHttpContextCarriesPlainRequestsAndRefusesTls() throws IOException {
    RegistryConnection plain = new RegistryConnection(TlsContexts.trustNothing());
    assertEquals(200, plain.send(get("http"), HttpResponse.BodyHandlers.discarding()).statusCode());

    IOException tls =
        assertThrows(
            IOException.class,
            () -> plain.send(get("https"), HttpResponse.BodyHandlers.discarding()));
    assertTrue(String.valueOf(tls.getMessage()).contains("plain HTTP"), String.valueOf(tls));
  }

  private HttpRequest get(String scheme) {
    return HttpRequest.newBuilder(URI.create(scheme + "://" + authority + "/v2/"))
        .timeout(java.time.Duration.ofSeconds(10))
        .build();
  }
}
