package dev.appliance.runtime.instance;

import dev.appliance.oci.ApplianceMetadata.HealthCheck;
import dev.appliance.runtime.net.PublishedPort;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.util.List;
import java.util.Optional;

/**
 * Asks the appliance whether it is ready, from the host, through its published
 * port. A TCP connect alone proves nothing under slirp (it accepts on the host
 * side before the guest listens), so the tcp check also waits for the guest to
 * keep the connection open or to send something.
 */
final class HealthProbe {
    private static final int TIMEOUT_MS = 2000;

    private final HealthCheck check;
    private final PublishedPort port;

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
                ? "GET http://" + port.connectAddress() + ":" + port.hostPort() + path() + " -> " + expectedStatus()
                : "tcp " + port.connectAddress() + ":" + port.hostPort();
    }

    boolean healthy() {
        try {
            return check.type().equals("http") ? http() : tcp();
        } catch (IOException | RuntimeException e) {
            return false;
        }
    }

    private boolean http() throws IOException {
        URI uri = URI.create("http://" + port.connectAddress() + ":" + port.hostPort() + path());
        HttpURLConnection c = (HttpURLConnection) uri.toURL().openConnection();
        c.setConnectTimeout(TIMEOUT_MS);
        c.setReadTimeout(TIMEOUT_MS);
        c.setInstanceFollowRedirects(false);
        try {
            int status = c.getResponseCode();
            try (InputStream body = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
                if (body != null) {
                    body.readNBytes(64 * 1024);
                }
            }
            return status == expectedStatus();
        } finally {
            c.disconnect();
        }
    }

    private boolean tcp() throws IOException {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(port.connectAddress(), port.hostPort()), TIMEOUT_MS);
            s.setSoTimeout(500);
            try {
                // slirp resets a forwarded connection the guest refuses: a read that
                // times out (open, silent) or returns data means a real listener.
                return s.getInputStream().read() != -1;
            } catch (java.net.SocketTimeoutException open) {
                return true;
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
