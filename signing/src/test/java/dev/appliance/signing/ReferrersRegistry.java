package dev.appliance.signing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.appliance.oci.Digest;
import dev.appliance.oci.MediaTypes;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A STAND-IN registry with the OCI 1.1 referrers API, in memory, for one repository: Debian's
 * docker-registry 2.8 has no referrers API and no registry that has one (zot, distribution 3) is
 * packaged here. It implements only what signing needs: manifests by tag and digest, blob HEAD/GET,
 * monolithic uploads, and {@code GET /v2/NAME/referrers/DIGEST?artifactType=...}, computed from the
 * stored manifests' {@code subject} as the spec says.
 */
final class ReferrersRegistry implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpServer server;
  private final Map<String, byte[]> manifests = new ConcurrentHashMap<>();
  private final Map<String, String> manifestTypes = new ConcurrentHashMap<>();
  private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();
  final List<String> requests = new CopyOnWriteArrayList<>();

  ReferrersRegistry() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/v2/", this::answer);
    server.start();
  }

  String host() {
    return "127.0.0.1:" + server.getAddress().getPort();
  }

  void deleteTag(String tag) {
    manifests.remove(tag);
  }

  private void answer(HttpExchange exchange) throws IOException {
    String method = exchange.getRequestMethod();
    String path = exchange.getRequestURI().getPath();
    requests.add(method + " " + exchange.getRequestURI());
    String[] parts = path.split("/");
    if (path.equals("/v2/")) {
      reply(exchange, 200, new byte[0], "application/json");
    } else if (path.contains("/manifests/")) {
      String reference = parts[parts.length - 1];
      if (method.equals("PUT")) {
        byte[] body = exchange.getRequestBody().readAllBytes();
        String digest = Digest.sha256(body).toString();
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        manifests.put(reference, body);
        manifests.put(digest, body);
        manifestTypes.put(digest, type);
        exchange.getResponseHeaders().add("Docker-Content-Digest", digest);
        reply(exchange, 201, new byte[0], null);
      } else {
        byte[] body = manifests.get(reference);
        if (body == null) {
          reply(exchange, 404, new byte[0], null);
          return;
        }
        String digest = Digest.sha256(body).toString();
        exchange.getResponseHeaders().add("Docker-Content-Digest", digest);
        reply(exchange, 200, method.equals("HEAD") ? null : body, manifestTypes.get(digest));
      }
    } else if (path.contains("/blobs/uploads/")) {
      if (method.equals("POST")) {
        exchange.getResponseHeaders().add("Location", path + "session");
        reply(exchange, 202, new byte[0], null);
      } else {
        String digest = exchange.getRequestURI().getQuery().replaceFirst(".*digest=", "");
        blobs.put(digest, exchange.getRequestBody().readAllBytes());
        reply(exchange, 201, new byte[0], null);
      }
    } else if (path.contains("/blobs/")) {
      byte[] blob = blobs.get(parts[parts.length - 1]);
      if (blob == null) {
        reply(exchange, 404, new byte[0], null);
      } else {
        reply(exchange, 200, method.equals("HEAD") ? null : blob, "application/octet-stream");
      }
    } else if (path.contains("/referrers/")) {
      reply(exchange, 200, referrers(parts[parts.length - 1]), MediaTypes.OCI_INDEX);
    } else {
      reply(exchange, 404, new byte[0], null);
    }
  }

  private byte[] referrers(String subject) throws IOException {
    ObjectNode index = JSON.createObjectNode();
    index.put("schemaVersion", 2);
    index.put("mediaType", MediaTypes.OCI_INDEX);
    ArrayNode list = index.putArray("manifests");
    for (Map.Entry<String, byte[]> entry : manifests.entrySet()) {
      JsonNode manifest = JSON.readTree(entry.getValue());
      if (entry.getKey().startsWith("sha256:")
          && subject.equals(manifest.path("subject").path("digest").asText())) {
        list.addObject()
            .put("mediaType", manifest.path("mediaType").asText())
            .put("digest", entry.getKey())
            .put("size", entry.getValue().length)
            .put("artifactType", manifest.path("artifactType").asText());
      }
    }
    return JSON.writeValueAsBytes(index);
  }

  private static void reply(HttpExchange exchange, int status, byte[] body, String type)
      throws IOException {
    if (type != null) {
      exchange.getResponseHeaders().add("Content-Type", type);
    }
    exchange.sendResponseHeaders(status, body == null || body.length == 0 ? -1 : body.length);
    if (body != null && body.length > 0) {
      exchange.getResponseBody().write(body);
    }
    exchange.close();
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
