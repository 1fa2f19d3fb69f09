package dev.appliance.runtime.export;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP relay in front of a registry on 127.0.0.1 that can fail the way a registry stopped
 * mid-download does: once one connection has carried {@code cutAfter} bytes to its client, every
 * connection is closed and new ones are closed on accept until {@link #restore}. TLS passes through
 * untouched (the client still verifies the registry's certificate). Counts the bytes each
 * connection carried to its client, so a test can tell a resumed download from a full one.
 */
final class CuttingProxy implements AutoCloseable {
  private final ServerSocket server;
  private final int target;
  private final List<Socket> open = new CopyOnWriteArrayList<>();
  private final List<AtomicLong> downstream = new CopyOnWriteArrayList<>();
  private volatile long cutAfter = Long.MAX_VALUE;
  private volatile boolean down;

  CuttingProxy(int target) throws IOException {
    this.target = target;
    // Loopback only: QEMU's user network takes a guest's 10.0.2.2 to the host's 127.0.0.1.
    server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(this::accept, "cutting-proxy");
    accept.setDaemon(true);
    accept.start();
  }

  int port() {
    return server.getLocalPort();
  }

  /** Cuts everything once a single connection has carried {@code bytes} to its client. */
  void cutAfter(long bytes) {
    cutAfter = bytes;
  }

  /** Whether the cut happened (and the relay refuses connections since). */
  boolean isDown() {
    return down;
  }

  /** Relays again, with no cut pending. */
  void restore() {
    cutAfter = Long.MAX_VALUE;
    down = false;
  }

  /** Bytes carried to the client by each connection so far, in the order they were accepted. */
  List<Long> downstreamBytes() {
    return downstream.stream().map(AtomicLong::get).toList();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        if (down) {
          client.close();
          continue;
        }
        Socket registry = new Socket(InetAddress.getLoopbackAddress(), target);
        open.add(client);
        open.add(registry);
        AtomicLong carried = new AtomicLong();
        downstream.add(carried);
        pump(client, registry, null);
        pump(registry, client, carried);
      } catch (IOException e) {
        // closed, or one connection failed: the others go on
      }
    }
  }

  private void pump(Socket from, Socket to, AtomicLong carried) {
    Thread t =
        new Thread(
            () -> {
              byte[] buffer = new byte[64 * 1024];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                  out.write(buffer, 0, n);
                  if (carried != null && carried.addAndGet(n) >= cutAfter) {
                    cut();
                    return;
                  }
                }
              } catch (IOException closed) {
                // the other side went away, or the cut closed it
              } finally {
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            "cutting-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  private void cut() {
    down = true;
    for (Socket s : open) {
      closeQuietly(s);
    }
    open.clear();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
    cut();
  }
}
