package dev.appliance.registry;

import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import javax.net.ssl.SSLContext;

/**
 * The HTTP side of every registry call: one {@link HttpClient} of the JDK with the endpoint's TLS
 * trust. Redirects are followed here, not by the client, so that the Authorization header is
 * dropped when a redirect leaves the host the request was sent to (blob downloads are often
 * redirected to storage with a signed URL) and a redirect from HTTPS to plain HTTP is refused.
 *
 * <p>Host-name verification is the JDK's; for {@code --insecure} the trust-all context's extended
 * trust manager skips it, so no process-wide property is set.
 */
final class RegistryConnection {
  private static final int MAX_REDIRECTS = 5;
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(30);
  private static final int ERROR_TEXT_BYTES = 512;
  private static final String BUFFER_PROPERTY = "jdk.httpclient.bufsize";

  private final HttpClient http;

  /**
   * Sets the JDK client's read buffer size, before any of its classes load (they read it once, when
   * they do: call this before building any request). It reads sockets 16 KiB at a time unless told
   * otherwise; 256 KiB took about a fifth off the CPU time of a 150 MB pull here, 1 MiB another
   * 0.04 to 0.15 s of a pull of the LAMP image (64 KiB: +0.3 s, 4 MiB: no better). A value the user
   * gave is kept.
   */
  static void tuneJdkClient() {
    if (System.getProperty(BUFFER_PROPERTY) == null) {
      System.setProperty(BUFFER_PROPERTY, String.valueOf(1 << 20));
    }
  }

  RegistryConnection(SSLContext tls) {
    this.http =
        HttpClient.newBuilder()
            .sslContext(tls)
            // HTTP/2 would multiplex the parallel blob transfers onto one connection
            // (and its flow-control window); one HTTP/1.1 connection each is faster.
            .version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(CONNECT_TIMEOUT)
            // Bodies are handled on the selector thread that read them, not handed to a pool
            // thread per buffer: on a busy host each hand-off waits for a turn on a CPU, and a
            // pull of the LAMP image took a fifth longer. Nothing the client calls back blocks
            // (BlobSink writes into the page cache; blocking reads stay on the caller's thread).
            .executor(Runnable::run)
            .build();
  }

  /**
   * Sends {@code request}, following redirects of GET and HEAD requests; the response of any other
   * status is the caller's to judge.
   */
  <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> body)
      throws IOException {
    HttpRequest current = request;
    for (int redirects = 0; ; redirects++) {
      HttpResponse<T> response = sendOnce(current, body);
      String location = response.headers().firstValue("Location").orElse(null);
      boolean redirect =
          response.statusCode() >= 300
              && response.statusCode() <= 399
              && location != null
              && (current.method().equals("GET") || current.method().equals("HEAD"));
      if (!redirect) {
        return response;
      }
      discard(response);
      if (redirects == MAX_REDIRECTS) {
        throw new IOException("more than " + MAX_REDIRECTS + " redirects from " + request.uri());
      }
      URI next = resolve(current.uri(), location);
      boolean sameHost = next.getRawAuthority().equalsIgnoreCase(current.uri().getRawAuthority());
      current =
          HttpRequest.newBuilder(
                  current, (name, value) -> sameHost || !name.equalsIgnoreCase("Authorization"))
              .uri(next)
              .build();
    }
  }

  /**
   * A URI the registry sent (a redirect, an upload location), resolved against the request's;
   * refused when it is not a valid http(s) URL or would leave HTTPS for plain HTTP.
   */
  static URI resolve(URI base, String location) throws IOException {
    URI next;
    try {
      if (location.length() > 8192 || location.chars().anyMatch(Character::isISOControl)) {
        throw new IllegalArgumentException("control characters or too long");
      }
      next = base.resolve(location);
    } catch (IllegalArgumentException e) {
      throw new IOException(
          base.getRawAuthority() + " sent an invalid location: " + e.getMessage());
    }
    String scheme =
        next.getScheme() == null ? "" : next.getScheme().toLowerCase(java.util.Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || next.getRawAuthority() == null) {
      throw new IOException(base.getRawAuthority() + " sent a location that is not an http(s) URL");
    }
    if (base.getScheme().equalsIgnoreCase("https") && !scheme.equals("https")) {
      throw new IOException(
          base.getRawAuthority() + " redirects from HTTPS to " + scheme + ": refused");
    }
    return next;
  }

  private <T> HttpResponse<T> sendOnce(HttpRequest request, HttpResponse.BodyHandler<T> body)
      throws IOException {
    try {
      return http.send(request, body);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException(
          request.method() + " " + request.uri().getRawPath() + " cancelled");
    }
  }

  /**
   * The start of an error response's text (registries explain errors in JSON); "" when there is
   * none.
   */
  static String errorText(HttpResponse<InputStream> response) {
    try (InputStream in = response.body()) {
      String text = new String(in.readNBytes(ERROR_TEXT_BYTES), StandardCharsets.UTF_8).strip();
      return text.isEmpty() ? "" : ": " + text.replaceAll("\\p{Cntrl}", " ");
    } catch (IOException e) {
      return "";
    }
  }

  /** Closes a response body that is not needed, so its connection can be reused or dropped. */
  static void discard(HttpResponse<?> response) {
    if (response.body() instanceof InputStream in) {
      try (in) {
        in.skip(1 << 16);
      } catch (IOException e) {
        // The connection is dropped instead of reused; nothing else to do.
      }
    }
  }
}
