package dev.appliance.registry;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

/**
 * A real Debian {@code docker-registry} on a free 127.0.0.1 port, optionally with TLS (certificate
 * from a {@link TestCa}) and htpasswd basic authentication. It can be killed and restarted on the
 * same port and storage, like a registry that crashes mid-transfer.
 */
public final class RegistryServer implements AutoCloseable {
  public static final String USER = "tester";

  private final Path dir;
  private final int port;
  private final Path config;
  private Process process;

  private RegistryServer(Path dir, int port, Path config) {
    this.dir = dir;
    this.port = port;
    this.config = config;
  }

  /** Anonymous, plain HTTP. */
  public static RegistryServer plain(Path dir) throws IOException {
    return start(dir, "", false);
  }

  /** Anonymous, plain HTTP, with every request in {@link #log()} (see {@link #requests}). */
  public static RegistryServer plainWithAccessLog(Path dir) throws IOException {
    return start(dir, "", true);
  }

  /**
   * TLS with a certificate signed by {@code ca}, htpasswd user {@link #USER} with {@code password}.
   */
  public static RegistryServer secure(Path dir, TestCa ca, String password) throws IOException {
    Files.createDirectories(dir);
    Path htpasswd = dir.resolve("htpasswd");
    // -i: the password comes on stdin, never on a command line.
    run(List.of("htpasswd", "-B", "-i", "-c", htpasswd.toString(), USER), password + "\n");
    String extra =
        "  tls:\n"
            + "    certificate: "
            + ca.serverCert()
            + "\n"
            + "    key: "
            + ca.serverKey()
            + "\n"
            + "auth:\n"
            + "  htpasswd:\n"
            + "    realm: appliance-test\n"
            + "    path: "
            + htpasswd
            + "\n";
    return start(dir, extra, false);
  }

  /** Plain HTTP with bearer-token authentication through {@code tokens}. */
  public static RegistryServer withTokens(Path dir, TokenService tokens) throws IOException {
    return start(dir, tokens.registryAuthConfig(), false);
  }

  /**
   * TLS with a certificate signed by {@code ca}, bearer tokens from {@code tokens} (whose realm is
   * plain http).
   */
  public static RegistryServer secureWithTokens(Path dir, TestCa ca, TokenService tokens)
      throws IOException {
    return start(
        dir,
        "  tls:\n"
            + "    certificate: "
            + ca.serverCert()
            + "\n"
            + "    key: "
            + ca.serverKey()
            + "\n"
            + tokens.registryAuthConfig(),
        false);
  }

  private static RegistryServer start(Path dir, String extraConfig, boolean accessLog)
      throws IOException {
    Files.createDirectories(dir.resolve("storage"));
    int port = freePort();
    Path config = dir.resolve("config.yml");
    Files.writeString(
        config,
        "version: 0.1\n"
            + "log:\n  level: warn\n  accesslog:\n    disabled: "
            + !accessLog
            + "\n"
            + "storage:\n  filesystem:\n    rootdirectory: "
            + dir.resolve("storage")
            + "\n"
            + "  delete:\n    enabled: true\n"
            + "http:\n  addr: 127.0.0.1:"
            + port
            + "\n"
            + extraConfig);
    RegistryServer server = new RegistryServer(dir, port, config);
    server.start();
    return server;
  }

  /** Starts (or restarts) the registry process and waits until it accepts connections. */
  public void start() throws IOException {
    process =
        new ProcessBuilder("docker-registry", "serve", config.toString())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("registry.log").toFile()))
            .start();
    Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IOException(
            "docker-registry exited: " + Files.readString(dir.resolve("registry.log")));
      }
      try (Socket ignored = new Socket(InetAddress.getLoopbackAddress(), port)) {
        return;
      } catch (IOException notYet) {
        sleep(50);
      }
    }
    throw new IOException("docker-registry did not listen on port " + port + " within 20 s");
  }

  /**
   * The request lines ("PATCH /v2/...") of the access log with this method; needs {@link
   * #plainWithAccessLog}.
   */
  public List<String> requests(String method) {
    String quoted = "\"" + method + " ";
    return log()
        .lines()
        .filter(line -> line.contains(quoted))
        .map(line -> line.substring(line.indexOf(quoted) + 1))
        .toList();
  }

  /** Kills the registry abruptly (SIGKILL), as a crash would. */
  public void kill() {
    if (process != null) {
      process.destroyForcibly();
      try {
        process.waitFor();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  /** {@code 127.0.0.1:PORT}, the registry part of image references. */
  public String host() {
    return "127.0.0.1:" + port;
  }

  /**
   * GET {@code path} (e.g. {@code /v2/REPO/manifests/TAG}) of this registry over plain HTTP, as a
   * bare distribution-API client sees it; {@code accept} is sent when not null.
   */
  public <T> HttpResponse<T> get(String path, String accept, HttpResponse.BodyHandler<T> body)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://" + host() + path));
    if (accept != null) {
      request.header("Accept", accept);
    }
    return HttpClient.newHttpClient().send(request.build(), body);
  }

  /** The file in the registry's storage holding a blob's bytes. */
  public Path blobFile(String digest) {
    String hex = digest.substring("sha256:".length());
    return dir.resolve("storage/docker/registry/v2/blobs/sha256")
        .resolve(hex.substring(0, 2))
        .resolve(hex)
        .resolve("data");
  }

  /** The repository's record that it holds a blob (a file holding the digest). */
  public Path layerLink(String repository, String digest) {
    return dir.resolve("storage/docker/registry/v2/repositories")
        .resolve(repository)
        .resolve("_layers/sha256")
        .resolve(digest.substring("sha256:".length()))
        .resolve("link");
  }

  /** What docker-registry printed (errors and warnings), for failure messages. */
  public String log() {
    try {
      return Files.readString(dir.resolve("registry.log"));
    } catch (IOException e) {
      return "(no registry log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    kill();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  static String run(List<String> command, String stdin) throws IOException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
    p.getOutputStream().close();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    try {
      if (p.waitFor() != 0) {
        throw new IOException(String.join(" ", command) + " failed: " + output);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    return output;
  }

  private static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new UncheckedIOException(new IOException(e));
    }
  }
}
