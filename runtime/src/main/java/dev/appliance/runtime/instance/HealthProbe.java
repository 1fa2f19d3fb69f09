package dev.appliance.runtime.instance;

import dev.appliance.oci.ApplianceMetadata.HealthCheck;
import dev.appliance.runtime.net.PublishedPort;
import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * Asks the appliance whether it is ready, from the host, through its published port. Only an answer
 * from the guest's service counts: the user-mode network accepts on the host side before the guest
 * listens (see {@link TcpProbe}), so the http check needs a complete status line with the expected
 * status, and the tcp check needs the guest to have accepted.
 */
final class HealthProbe {
  private static final int HTTP_TIMEOUT_MS = 2000;

  private final HealthCheck check;
  private final PublishedPort port;

  /** One probe's verdict; {@code finding} says what was seen when it failed. */
  record Result(boolean healthy, String finding) {
    static Result passed() {
      return new Result(true, null);
    }

    /** Exception texts may quote what the guest sent: no control characters, bounded length. */
    static Result failed(String finding) {
      String safe = finding.replaceAll("\\p{Cntrl}", "?");
      return new Result(false, safe.length() > 200 ? safe.substring(0, 200) + "..." : safe);
    }
  }

  private HealthProbe(HealthCheck check, PublishedPort port) {
    this.check = check;
    this.port = port;
  }

  /** The probe for {@code check}, or empty when the image has none. */
  static Optional<HealthProbe> of(HealthCheck check, List<PublishedPort> ports) {
    if (check == null) {
      return Optional.empty();
    }
    return ports.stream()
        .filter(p -> p.guestPort() == check.port() && p.protocol().equals("tcp"))
        .findFirst()
        .map(p -> new HealthProbe(check, p));
  }

  String describe() {
    return check.type().equals("http")
        ? "GET http://"
            + port.connectAddress()
            + ":"
            + port.hostPort()
            + path()
            + " -> "
            + expectedStatus()
        : "tcp "
            + port.connectAddress()
            + ":"
            + port.hostPort()
            + " (guest port "
            + check.port()
            + ")";
  }

  Result check() {
    try {
      return check.type().equals("http")
          ? http()
          : new TcpProbe(new InetSocketAddress(port.connectAddress(), port.hostPort())).check();
    } catch (RuntimeException e) {
      return Result.failed(e.toString());
    }
  }

  private Result http() {
    URI uri = URI.create("http://" + port.connectAddress() + ":" + port.hostPort() + path());
    HttpURLConnection c = null;
    try {
      // Never through a proxy from the environment: the port is on this host.
      c = (HttpURLConnection) uri.toURL().openConnection(Proxy.NO_PROXY);
      c.setConnectTimeout(HTTP_TIMEOUT_MS);
      c.setReadTimeout(HTTP_TIMEOUT_MS);
      c.setInstanceFollowRedirects(false);
      c.setUseCaches(false);
      // A reset or an empty reply (slirp closing for a refusing guest) throws;
      // a reply that is not HTTP gives -1.
      int status = c.getResponseCode();
      try (InputStream body = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
        if (body != null) {
          body.readNBytes(64 * 1024);
        }
      }
      if (status == expectedStatus()) {
        return Result.passed();
      }
      return Result.failed(
          status < 0
              ? "a reply that is not HTTP"
              : "HTTP " + status + " instead of " + expectedStatus());
    } catch (SocketTimeoutException e) {
      return Result.failed(
          "no reply within "
              + HTTP_TIMEOUT_MS / 1000
              + " s (the guest's network or service is not up yet)");
    } catch (IOException e) {
      return Result.failed("no HTTP reply (" + e.getMessage() + ")");
    } finally {
      if (c != null) {
        c.disconnect();
      }
    }
  }

  private String path() {
    String p = check.path() == null || check.path().isEmpty() ? "/" : check.path();
    return p.startsWith("/") ? p : "/" + p;
  }

  private int expectedStatus() {
    return check.status() == 0 ? 200 : check.status();
  }
}
