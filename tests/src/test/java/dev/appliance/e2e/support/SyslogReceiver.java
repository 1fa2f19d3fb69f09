package dev.appliance.e2e.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * A syslog collector on a free port of 127.0.0.1 (a guest reaches it as 10.0.2.2 when run with
 * {@code --allow-host-loopback}), keeping every message it receives: {@link #udp()} one message a
 * datagram, {@link #tcp()} RFC 6587 octet counting ("LENGTH SP MESSAGE"), as the sensor sends RFC
 * 5424 over TCP.
 */
public abstract sealed class SyslogReceiver implements AutoCloseable {
  private final List<String> messages = new CopyOnWriteArrayList<>();
  private final ObjectMapper json = new ObjectMapper();

  public static SyslogReceiver udp() {
    try {
      return new Udp();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static SyslogReceiver tcp() {
    try {
      return new Tcp();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public abstract int port();

  @Override
  public abstract void close() throws IOException;

  /** Every message received so far, in order. */
  public List<String> messages() {
    return List.copyOf(messages);
  }

  /** The first message passing {@code test} within {@code timeout}. */
  public Optional<String> await(Predicate<String> test, Duration timeout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    do {
      Optional<String> found = messages.stream().filter(test).findFirst();
      if (found.isPresent()) {
        return found;
      }
      Thread.sleep(250);
    } while (System.nanoTime() < deadline);
    return Optional.empty();
  }

  /**
   * The sids of the EVE JSON alerts received (each message's JSON from its first brace), once they
   * include {@code expected} or {@code timeout} passed.
   */
  public Set<Integer> awaitSids(Set<Integer> expected, Duration timeout) throws Exception {
    long deadline = System.nanoTime() + timeout.toNanos();
    Set<Integer> sids = new TreeSet<>();
    do {
      sids.clear();
      for (String m : messages) {
        int brace = m.indexOf('{');
        if (brace >= 0) {
          sids.add(json.readTree(m.substring(brace)).get("alert").get("signature_id").asInt());
        }
      }
      if (sids.containsAll(expected)) {
        break;
      }
      Thread.sleep(250);
    } while (System.nanoTime() < deadline);
    return sids;
  }

  void received(byte[] data, int length) {
    messages.add(new String(data, 0, length, StandardCharsets.UTF_8));
  }

  static void daemon(Runnable loop, String name) {
    Thread t = new Thread(loop, name);
    t.setDaemon(true);
    t.start();
  }

  private static final class Udp extends SyslogReceiver {
    private final DatagramSocket socket;

    Udp() throws IOException {
      socket = new DatagramSocket(0, InetAddress.getLoopbackAddress());
      daemon(this::receive, "udp-syslog");
    }

    @Override
    public int port() {
      return socket.getLocalPort();
    }

    private void receive() {
      byte[] buffer = new byte[65536];
      while (!socket.isClosed()) {
        DatagramPacket p = new DatagramPacket(buffer, buffer.length);
        try {
          socket.receive(p);
          received(p.getData(), p.getLength());
        } catch (IOException closed) {
          return;
        }
      }
    }

    @Override
    public void close() {
      socket.close();
    }
  }

  private static final class Tcp extends SyslogReceiver {
    private final ServerSocket server;

    Tcp() throws IOException {
      server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress());
      daemon(this::accept, "tcp-syslog");
    }

    @Override
    public int port() {
      return server.getLocalPort();
    }

    private void accept() {
      while (!server.isClosed()) {
        try (Socket s = server.accept();
            InputStream in = new BufferedInputStream(s.getInputStream())) {
          while (true) {
            ByteArrayOutputStream length = new ByteArrayOutputStream();
            for (int c; (c = in.read()) != ' '; ) {
              if (c < 0) {
                throw new IOException("closed");
              }
              length.write(c);
            }
            byte[] message = in.readNBytes(Integer.parseInt(length.toString()));
            received(message, message.length);
          }
        } catch (IOException | NumberFormatException e) {
          // the connection ended; the sender reconnects
        }
      }
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
