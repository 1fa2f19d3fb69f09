package dev.appliance.e2e.support;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.KeyStore;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.zip.GZIPOutputStream;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * An HTTPS server on 127.0.0.1 serving one rules tarball at one path, whose bytes a test swaps
 * between updates: it stands in for the ET Open download server, which the test machines cannot
 * reach. Its certificate comes from a test CA ({@link TestCertificates}) that the client must be
 * given; it records each request's User-Agent, so a test can tell who fetched.
 */
public final class RulesTarballServer implements AutoCloseable {
  private final HttpsServer server;
  private final String path;
  private final List<String> userAgents = new CopyOnWriteArrayList<>();
  private volatile byte[] body = new byte[0];

  private RulesTarballServer(HttpsServer server, String path) {
    this.server = server;
    this.path = path;
  }

  /** Serves {@code path} with the certificate of {@code certificates} on a free port. */
  public static RulesTarballServer start(TestCertificates certificates, String path)
      throws Exception {
    char[] password = "test-only".toCharArray();
    KeyStore keys = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(certificates.serverPkcs12(new String(password)))) {
      keys.load(in, password);
    }
    KeyManagerFactory factory =
        KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
    factory.init(keys, password);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(factory.getKeyManagers(), null, null);
    HttpsServer server =
        HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
    server.setHttpsConfigurator(new HttpsConfigurator(tls));
    RulesTarballServer served = new RulesTarballServer(server, path);
    server.createContext("/", served::handle);
    server.start();
    return served;
  }

  public int port() {
    return server.getAddress().getPort();
  }

  /** From now on, {@code tarball} is what the path serves. */
  public void serve(byte[] tarball) {
    body = tarball.clone();
  }

  /** The User-Agent of every request for the path, in order. */
  public List<String> userAgents() {
    return List.copyOf(userAgents);
  }

  /** A .tar.gz laid out as ET Open's: each {@code files} entry under {@code rules/}. */
  public static byte[] etOpenTarball(Map<String, String> files) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GZIPOutputStream(bytes))) {
      for (Map.Entry<String, String> file : files.entrySet()) {
        byte[] data = file.getValue().getBytes(StandardCharsets.UTF_8);
        TarArchiveEntry entry = new TarArchiveEntry("rules/" + file.getKey());
        entry.setSize(data.length);
        tar.putArchiveEntry(entry);
        tar.write(data);
        tar.closeArchiveEntry();
      }
    }
    return bytes.toByteArray();
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      if (!exchange.getRequestURI().getPath().equals(path)) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      userAgents.add(String.valueOf(exchange.getRequestHeaders().getFirst("User-Agent")));
      byte[] served = body;
      exchange.getResponseHeaders().set("Content-Type", "application/gzip");
      exchange.sendResponseHeaders(200, served.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(served);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
