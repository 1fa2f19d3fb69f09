package dev.appliance.runtime.instance;

import java.io.IOException;
import java.io.InputStream;
import java.net.BindException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.NoRouteToHostException;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;

/**
 * The tcp health check through the user-mode network. libslirp accepts every connection to a
 * forwarded port on the host side at once and only then tries the guest, so a connect proves
 * nothing. Measured on uml (docs/operations.md):
 *
 * <ul>
 *   <li>guest not on the network yet: the connection stays open and silent (slirp keeps sending
 *       SYNs nobody answers), also after we close our sending side;
 *   <li>guest refuses (nothing listens): end of stream or a reset within milliseconds of the
 *       connect;
 *   <li>service that speaks first (SSH, SMTP, MySQL): its bytes;
 *   <li>silent service (HTTP, PostgreSQL): open and silent, and it closes in turn once we close our
 *       sending side.
 * </ul>
 *
 * Silence alone is therefore the same for "not on the network" and "accepted". The rule: bytes from
 * the guest pass. Otherwise the probe half-closes; a guest that stays silent is not on the network
 * (fail); one that closes has shown its network answers, and a second connection then tells a
 * listener (silent for {@link #GRACE_MS} or speaking) from a refusal (closed at once).
 */
final class TcpProbe {
  /** Far longer than a refusal takes (under 60 ms measured on uml), short enough to probe often. */
  private static final int GRACE_MS = 1500;

  private static final int CONNECT_TIMEOUT_MS = 2000;

  private enum Answer {
    SPOKE,
    CLOSED,
    SILENT
  }

  private final InetSocketAddress address;

  TcpProbe(InetSocketAddress address) {
    this.address = address;
  }

  /** Whether the guest's service accepted, with what was seen when it did not. */
  HealthProbe.Result check() {
    Answer first;
    boolean halfClosed;
    try (Socket s = connect()) {
      first = answer(s);
      halfClosed = first == Answer.SILENT;
      if (halfClosed) {
        s.shutdownOutput();
        first = answer(s);
      }
    } catch (IOException e) {
      return failed(e);
    }
    if (first == Answer.SPOKE) {
      return HealthProbe.Result.passed();
    }
    if (first == Answer.SILENT) {
      return HealthProbe.Result.failed("no answer from the guest (its network is not up yet)");
    }
    if (!halfClosed) {
      return refused();
    }
    // Closed after our half-close: the service closed in turn, or the guest refused
    // just now. A fresh connection to a guest known to answer tells which.
    try (Socket s = connect()) {
      return answer(s) == Answer.CLOSED ? refused() : HealthProbe.Result.passed();
    } catch (IOException e) {
      return failed(e);
    }
  }

  /**
   * A connection that failed. Refused, unreachable or timed out: the network helper's own listener
   * is not up yet, or gone. Any other socket error is a reset (ECONNRESET): the helper accepted and
   * the guest refused so fast that the reset came before connect returned (seen at a load of 10) or
   * while we half-closed.
   */
  static HealthProbe.Result failed(IOException e) {
    if (e instanceof SocketException
        && !(e instanceof ConnectException
            || e instanceof NoRouteToHostException
            || e instanceof BindException)) {
      return refused();
    }
    return HealthProbe.Result.failed("no connection on the host side (" + e.getMessage() + ")");
  }

  private static HealthProbe.Result refused() {
    return HealthProbe.Result.failed(
        "the guest refused the connection (nothing listens on it yet)");
  }

  private Socket connect() throws IOException {
    Socket s = new Socket();
    try {
      s.connect(address, CONNECT_TIMEOUT_MS);
      s.setSoTimeout(GRACE_MS);
      return s;
    } catch (IOException e) {
      s.close();
      throw e;
    }
  }

  private static Answer answer(Socket s) {
    try {
      InputStream in = s.getInputStream();
      return in.read() == -1 ? Answer.CLOSED : Answer.SPOKE;
    } catch (SocketTimeoutException silent) {
      return Answer.SILENT;
    } catch (IOException reset) {
      return Answer.CLOSED;
    }
  }
}
