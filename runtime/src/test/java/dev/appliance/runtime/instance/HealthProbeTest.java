package dev.appliance.runtime.instance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.oci.ApplianceMetadata.HealthCheck;
import dev.appliance.runtime.net.PublishedPort;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The health probes against what they meet: the real user-mode network (vde_plug with libslirp)
 * with no guest behind it, and host-side servers standing in for each way slirp hands a guest's
 * answer back (measured on uml, see docs/operations.md): a close or reset for a refusal, bytes, or
 * silence. The boot tests (HealthCheckBootTest) prove the same rules with real guests.
 */
class HealthProbeTest {
  private static final HealthCheck TCP = new HealthCheck("tcp", 5432, null, 0, 60);
  private static final HealthCheck HTTP = new HealthCheck("http", 5432, "/healthz", 200, 60);

  @Test
  void theUserModeNetworkAloneIsNotAHealthyService(@TempDir Path dir) throws Exception {
    Assumptions.assumeTrue(
        Files.exists(Path.of("/usr/lib/x86_64-linux-gnu/vdeplug/libvdeplug_slirp.so")),
        "libvdeplug-slirp is not installed");
    int port;
    try (ServerSocket free = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = free.getLocalPort();
    }
    // No engine joins the socket: slirp accepts on the host side and gets no answer from a guest.
    Process slirp =
        new ProcessBuilder(
                "vde_plug",
                "ptp://" + dir.resolve("vde.sock"),
                "slirp:///disable_host_loopback/tcpfwd=127.0.0.1:" + port + ":10.0.2.15:5432")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("network.log").toFile())
            .start();
    try {
      awaitListening(port);
      HealthProbe.Result tcp = probe(TCP, port).check();
      assertFalse(tcp.healthy(), "slirp accepted on the host side, nothing answered in the guest");
      assertEquals("no answer from the guest (its network is not up yet)", tcp.finding());
      HealthProbe.Result http = probe(HTTP, port).check();
      assertFalse(http.healthy());
      assertTrue(http.finding().startsWith("no reply within 2 s"), http.finding());
    } finally {
      slirp.destroy();
      slirp.waitFor();
    }
  }

  @Test
  void aRefusalThatSlirpPassesOnAsACloseOrAResetIsNotHealthy() throws Exception {
    try (Server closing = new Server(Socket::close);
        Server resetting =
            new Server(
                s -> {
                  s.setSoLinger(true, 0);
                  s.close();
                })) {
      for (Server server : List.of(closing, resetting)) {
        HealthProbe.Result tcp = probe(TCP, server.port()).check();
        assertFalse(tcp.healthy());
        assertEquals("the guest refused the connection (nothing listens on it yet)", tcp.finding());
        HealthProbe.Result http = probe(HTTP, server.port()).check();
        assertFalse(http.healthy(), "an empty reply or a reset is no HTTP answer");
        assertTrue(http.finding().startsWith("no HTTP reply"), http.finding());
      }
    }
  }

  @Test
  void aResetBeforeConnectReturnsIsTheGuestRefusingAndARefusedConnectIsTheHostSide() {
    // What connect() throws when the reset wins the race (ECONNRESET), and when nothing listens.
    assertEquals(
        "the guest refused the connection (nothing listens on it yet)",
        TcpProbe.failed(new SocketException("Connection reset by peer")).finding());
    assertEquals(
        "no connection on the host side (Connection refused)",
        TcpProbe.failed(new ConnectException("Connection refused")).finding());
    assertEquals(
        "no connection on the host side (Connect timed out)",
        TcpProbe.failed(new SocketTimeoutException("Connect timed out")).finding());
  }

  @Test
  void aServiceThatSpeaksFirstIsHealthy() throws Exception {
    try (Server banner =
        new Server(
            s -> {
              s.getOutputStream()
                  .write("SSH-2.0-OpenSSH_9.2\r\n".getBytes(StandardCharsets.US_ASCII));
              s.getInputStream().readAllBytes();
            })) {
      assertTrue(probe(TCP, banner.port()).check().healthy());
    }
  }

  @Test
  void aSilentServiceThatClosesAfterTheClientFinishedIsHealthy() throws Exception {
    try (Server silent = new Server(s -> s.getInputStream().readAllBytes())) {
      HealthProbe.Result result = probe(TCP, silent.port()).check();
      assertTrue(result.healthy(), result::finding);
      assertEquals(2, silent.accepted(), "half-closed once, then a second connection held open");
    }
  }

  @Test
  void httpPassesOnlyWithTheExpectedStatus() throws Exception {
    try (Server ok =
            new Server(
                s ->
                    reply(
                        s, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"));
        Server unavailable =
            new Server(
                s ->
                    reply(
                        s,
                        "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));
        Server notHttp = new Server(s -> reply(s, "SSH-2.0-OpenSSH_9.2\r\n"))) {
      assertTrue(probe(HTTP, ok.port()).check().healthy());
      assertEquals(
          HealthProbe.Result.failed("HTTP 503 instead of 200"),
          probe(HTTP, unavailable.port()).check());
      assertFalse(probe(HTTP, notHttp.port()).check().healthy(), "a banner is no HTTP status");
    }
  }

  @Test
  void aFindingCarriesNoControlCharactersFromTheGuest() {
    HealthProbe.Result r =
        HealthProbe.Result.failed(
            "no HTTP reply (\u001b]0;owned\u0007\r\n" + "x".repeat(500) + ")");
    assertTrue(r.finding().chars().noneMatch(Character::isISOControl), r.finding());
    assertTrue(
        r.finding().startsWith("no HTTP reply (?]0;owned???xxx") && r.finding().length() <= 203,
        r.finding());
  }

  private static void reply(Socket s, String response) throws IOException {
    InputStream in = s.getInputStream();
    byte[] request = new byte[4096];
    int n = in.read(request);
    assertTrue(
        n > 0 && new String(request, 0, n, StandardCharsets.US_ASCII).startsWith("GET /healthz "));
    OutputStream out = s.getOutputStream();
    out.write(response.getBytes(StandardCharsets.US_ASCII));
    out.flush();
    s.shutdownOutput();
    in.readAllBytes();
  }

  private static HealthProbe probe(HealthCheck check, int hostPort) {
    return HealthProbe.of(
            check, List.of(new PublishedPort("127.0.0.1", hostPort, check.port(), "tcp", false)))
        .orElseThrow();
  }

  private static void awaitListening(int port) throws Exception {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (true) {
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", port), 500);
        return;
      } catch (IOException notYet) {
        if (System.nanoTime() > deadline) {
          throw notYet;
        }
        Thread.sleep(50);
      }
    }
  }

  /** A loopback server handling each connection with {@code handler} on its own thread. */
  private static final class Server implements AutoCloseable {
    interface Handler {
      void handle(Socket s) throws IOException;
    }

    private final ServerSocket socket;
    private final java.util.concurrent.atomic.AtomicInteger accepted =
        new java.util.concurrent.atomic.AtomicInteger();

    Server(Handler handler) throws IOException {
      socket = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
      Thread t =
          new Thread(
              () -> {
                while (!socket.isClosed()) {
                  try {
                    Socket s = socket.accept();
                    accepted.incrementAndGet();
                    Consumer<Socket> serve =
                        c -> {
                          try (c) {
                            handler.handle(c);
                          } catch (IOException | RuntimeException | Error ignored) {
                            // the probe hung up
                          }
                        };
                    Thread worker = new Thread(() -> serve.accept(s));
                    worker.setDaemon(true);
                    worker.start();
                  } catch (IOException closed) {
                    return;
                  }
                }
              });
      t.setDaemon(true);
      t.start();
    }

    int port() {
      return socket.getLocalPort();
    }

    int accepted() {
      return accepted.get();
    }

    @Override
    public void close() throws IOException {
      socket.close();
    }
  }
}
