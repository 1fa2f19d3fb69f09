package dev.appliance.cli;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.appliance.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The distribution API calls of a push and a pull, answered in memory on 127.0.0.1, for the
 * class-data archive's training run only ({@link CdsTraining}): the package phase has no registry,
 * and without one the archive would miss the HTTP client's classes, which a push or pull otherwise
 * loads and verifies at every start. Not a registry: no checks, no auth, everything lost at exit.
 */
final class TrainingRegistry implements AutoCloseable {
  private final HttpServer server;
  private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
  private final Map<String, byte[]> manifests = new ConcurrentHashMap<>();
  private final Map<String, String> manifestTypes = new ConcurrentHashMap<>();

  TrainingRegistry() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/v2/", this::handle);
    server.start();
  }

  /** host:port to name in references. */
  String host() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      String method = exchange.getRequestMethod();
      String path = exchange.getRequestURI().getPath();
      String query = exchange.getRequestURI().getRawQuery();
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      String last = path.substring(path.lastIndexOf('/') + 1);
      if (path.equals("/v2/")) {
        reply(exchange, 200, new byte[0], method);
      } else if (path.contains("/blobs/uploads/") && method.equals("POST")) {
        exchange.getResponseHeaders().set("Location", path + UUID.randomUUID());
        reply(exchange, 202, new byte[0], method);
      } else if (path.contains("/blobs/uploads/") && method.equals("PUT")) {
        blobs.put(query.substring(query.indexOf("digest=") + 7).replace("%3A", ":"), body);
        reply(exchange, 201, new byte[0], method);
      } else if (path.contains("/blobs/") && blobs.containsKey(last)) {
        reply(exchange, 200, blobs.get(last), method);
      } else if (path.contains("/manifests/") && method.equals("PUT")) {
        String digest = Digest.sha256(body).toString();
        for (String name : new String[] {last, digest}) {
          manifests.put(name, body);
          manifestTypes.put(name, exchange.getRequestHeaders().getFirst("Content-Type"));
        }
        exchange.getResponseHeaders().set("Docker-Content-Digest", digest);
        reply(exchange, 201, new byte[0], method);
      } else if (path.contains("/manifests/") && manifests.containsKey(last)) {
        byte[] manifest = manifests.get(last);
        exchange.getResponseHeaders().set("Content-Type", manifestTypes.get(last));
        exchange
            .getResponseHeaders()
            .set("Docker-Content-Digest", Digest.sha256(manifest).toString());
        reply(exchange, 200, manifest, method);
      } else {
        reply(exchange, 404, new byte[0], method);
      }
    }
  }

  private static void reply(HttpExchange exchange, int status, byte[] body, String method)
      throws IOException {
    boolean head = method.equals("HEAD");
    exchange.sendResponseHeaders(status, head || body.length == 0 ? -1 : body.length);
    if (!head && body.length > 0) {
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(body);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
