package dev.appliance.e2e.support;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real OCI registry for a test: Debian's {@code docker-registry} serving on a free 127.0.0.1 port
 * with its own storage under the given directory, optionally with basic authentication (htpasswd,
 * bcrypt) and TLS (a self-signed certificate for 127.0.0.1 made with openssl). Close it to stop it.
 *
 * <pre>
 * try (LocalRegistry registry = LocalRegistry.builder(dir).start()) {
 *     cli.run("push", "lamp:1.0.0", registry.address() + "/ops/lamp:1.0.0").assertSuccess();
 * }
 * </pre>
 */
public final class LocalRegistry implements AutoCloseable {
  private static final Duration READY_TIMEOUT = Duration.ofSeconds(30);
  private static final int PORT_ATTEMPTS = 3;

  private final Process process;
  private final int port;
  private final Path storage;
  private final Path log;
  private final Path certificate;

  private LocalRegistry(Process process, int port, Path storage, Path log, Path certificate) {
    this.process = process;
    this.port = port;
    this.storage = storage;
    this.log = log;
    this.certificate = certificate;
  }

  /** A registry keeping its config, storage and log under {@code dir}. */
  public static Builder builder(Path dir) {
    return new Builder(dir);
  }

  /** host:port, for image references, e.g. {@code 127.0.0.1:41234}. */
  public String address() {
    return "127.0.0.1:" + port;
  }

  public int port() {
    return port;
  }

  /** {@code http://} or {@code https://} plus the address. */
  public String url() {
    return (certificate == null ? "http://" : "https://") + address();
  }

  /** The directory holding the registry's blobs and repositories. */
  public Path storage() {
    return storage;
  }

  /** The registry's own log, for diagnosing a failed test. */
  public Path log() {
    return log;
  }

  /** The self-signed certificate (PEM) clients must trust; null without TLS. */
  public Path certificate() {
    return certificate;
  }

  public boolean isRunning() {
    return process.isAlive();
  }

  /** Stops it hard, e.g. to test an interrupted transfer; {@link #close()} stays safe. */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    if (process.isAlive()) {
      process.destroy();
      try {
        if (!process.waitFor(5, TimeUnit.SECONDS)) {
          kill();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        kill();
      }
    }
  }

  /** Options of a registry; {@link #start()} launches it. */
  public static final class Builder {
    private final Path dir;
    private String user;
    private String password;
    private boolean tls;

    private Builder(Path dir) {
      this.dir = dir;
    }

    /** Require HTTP basic authentication with this user and password. */
    public Builder basicAuth(String user, String password) {
      this.user = user;
      this.password = password;
      return this;
    }

    /** Serve HTTPS with a fresh self-signed certificate for 127.0.0.1. */
    public Builder tls() {
      this.tls = true;
      return this;
    }

    /** Starts the registry and waits until it accepts connections. */
    public LocalRegistry start() {
      try {
        Files.createDirectories(dir);
        Path storage = Files.createDirectories(dir.resolve("storage"));
        String auth = user == null ? "" : htpasswd();
        Path certificate = tls ? certificate() : null;
        String tlsConfig =
            tls
                ? "  tls:\n    certificate: "
                    + certificate
                    + "\n    key: "
                    + dir.resolve("registry.key")
                    + "\n"
                : "";
        IllegalStateException last = null;
        for (int attempt = 1; attempt <= PORT_ATTEMPTS; attempt++) {
          int port = freePort();
          Path config =
              Files.writeString(
                  dir.resolve("config.yml"),
                  """
                            version: 0.1
                            log:
                              level: info
                            storage:
                              filesystem:
                                rootdirectory: %s
                              delete:
                                enabled: true
                            http:
                              addr: 127.0.0.1:%d
                            %s%s"""
                      .formatted(storage, port, tlsConfig, auth));
          Path log = dir.resolve("registry.log");
          Process process =
              new ProcessBuilder("docker-registry", "serve", config.toString())
                  .redirectErrorStream(true)
                  .redirectOutput(log.toFile())
                  .start();
          LocalRegistry registry = new LocalRegistry(process, port, storage, log, certificate);
          try {
            awaitReady(registry);
            return registry;
          } catch (IllegalStateException e) {
            // Most likely another process took the port between probe and bind.
            registry.close();
            last = e;
          }
        }
        throw last;
      } catch (IOException e) {
        throw new UncheckedIOException(
            "cannot start docker-registry (Debian package docker-registry)", e);
      }
    }

    private String htpasswd() throws IOException {
      Path file = dir.resolve("htpasswd");
      // -i: the password comes on stdin, never on a command line.
      Process process =
          new ProcessBuilder("htpasswd", "-B", "-i", "-n", user)
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      try (OutputStream in = process.getOutputStream()) {
        in.write(password.getBytes(StandardCharsets.UTF_8));
      }
      String entry =
          new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      waitOk(process, "htpasswd (Debian package apache2-utils)");
      Files.writeString(file, entry + "\n");
      return "auth:\n  htpasswd:\n    realm: appliance-test\n    path: " + file + "\n";
    }

    private Path certificate() throws IOException {
      Path cert = dir.resolve("registry.crt");
      Process process =
          new ProcessBuilder(
                  "openssl",
                  "req",
                  "-x509",
                  "-newkey",
                  "rsa:2048",
                  "-nodes",
                  "-days",
                  "2",
                  "-subj",
                  "/CN=127.0.0.1",
                  "-addext",
                  "subjectAltName=IP:127.0.0.1",
                  "-keyout",
                  dir.resolve("registry.key").toString(),
                  "-out",
                  cert.toString())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("openssl.log").toFile())
              .start();
      waitOk(process, "openssl");
      return cert;
    }

    private static void waitOk(Process process, String what) {
      try {
        if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
          process.destroyForcibly();
          throw new IllegalStateException(what + " failed");
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while running " + what, e);
      }
    }

    private static int freePort() throws IOException {
      try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
        return socket.getLocalPort();
      }
    }

    private static void awaitReady(LocalRegistry registry) {
      long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
      while (System.nanoTime() < deadline) {
        if (!registry.process.isAlive()) {
          throw new IllegalStateException("docker-registry exited: " + tail(registry.log));
        }
        try (Socket socket = new Socket()) {
          socket.connect(
              new InetSocketAddress(InetAddress.getLoopbackAddress(), registry.port), 500);
          return;
        } catch (IOException notYet) {
          sleep();
        }
      }
      throw new IllegalStateException(
          "docker-registry did not listen on "
              + registry.address()
              + " within "
              + READY_TIMEOUT.toSeconds()
              + " s: "
              + tail(registry.log));
    }

    private static void sleep() {
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted while waiting for docker-registry", e);
      }
    }

    private static String tail(Path log) {
      try {
        List<String> lines = Files.readAllLines(log);
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 10), lines.size()));
      } catch (IOException e) {
        return "(no log)";
      }
    }
  }
}
