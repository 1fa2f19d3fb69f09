package dev.appliance.registry;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.appliance.common.ApplianceException;
import dev.appliance.oci.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.function.LongConsumer;

/**
 * The distribution API for one repository of one registry: small typed calls (manifests, blobs,
 * tags), each one HTTP exchange authenticated by {@link RegistryAuth}; uploads are {@link
 * BlobUpload}'s. Error statuses become {@link RegistryException}s, so that callers and {@link
 * Retry} tell them apart by type. Thread-safe: the transfer threads share one client.
 */
final class RegistryClient {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_TAG_LIST = 4 << 20;
  private static final int MAX_TAG_PAGES = 1_000;

  private final Endpoint endpoint;
  private final String repository;
  private final RegistryConnection http;

  /**
   * Connections for blob downloads, one per transfer running at a time: each has its own selector
   * thread, on which its bodies are hashed and written, so the blobs of a pull use both cores of a
   * two-core host instead of one selector thread for all of them.
   */
  private final Deque<RegistryConnection> downloads = new ArrayDeque<>();

  private final RegistryAuth auth;
  private final List<Scope> scopes;

  /**
   * @param push whether this client writes to the repository (its token then grants push as well as
   *     pull)
   */
  RegistryClient(
      Endpoint endpoint, String repository, Optional<RegistryCredential> credential, boolean push) {
    this.endpoint = endpoint;
    this.repository = repository;
    this.http = endpoint.connection();
    this.auth = new RegistryAuth(endpoint, credential, http);
    this.scopes = List.of(push ? Scope.push(repository) : Scope.pull(repository));
  }

  /** A manifest's exact bytes, its content type, and the digest the registry says it has. */
  record FetchedManifest(byte[] body, String contentType, Optional<String> dockerContentDigest) {}

  FetchedManifest manifest(String reference, String accept, int limit) throws IOException {
    HttpResponse<InputStream> response =
        expectOneOf(
            request("manifests/" + reference).GET().header("Accept", accept),
            null,
            "manifest " + reference,
            200);
    try (InputStream body = response.body()) {
      byte[] bytes = body.readNBytes(limit + 1);
      if (bytes.length > limit) {
        throw new ApplianceException(
            "the manifest of "
                + repository
                + ":"
                + reference
                + " is larger than "
                + limit
                + " bytes");
      }
      return new FetchedManifest(
          bytes,
          response.headers().firstValue("Content-Type").orElse(""),
          response.headers().firstValue("Docker-Content-Digest"));
    }
  }

  /** The digest of the manifest {@code reference} names (HEAD), if the registry has it. */
  Optional<String> manifestDigest(String reference, String accept) throws IOException {
    HttpResponse<Void> response =
        exchange(
            request("manifests/" + reference)
                .method("HEAD", HttpRequest.BodyPublishers.noBody())
                .header("Accept", accept),
            discarding());
    if (response.statusCode() == 404) {
      return Optional.empty();
    }
    if (response.statusCode() != 200) {
      throw error(response.statusCode(), "manifest " + reference, "");
    }
    return response.headers().firstValue("Docker-Content-Digest");
  }

  /**
   * Stores {@code body} as the manifest {@code reference}; the digest the registry computed, if it
   * says.
   */
  Optional<String> putManifest(String reference, byte[] body, String mediaType) throws IOException {
    HttpResponse<InputStream> response =
        expectOneOf(
            request("manifests/" + reference)
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body))
                .header("Content-Type", mediaType),
            null,
            "manifest " + reference,
            201);
    RegistryConnection.discard(response);
    return response.headers().firstValue("Docker-Content-Digest");
  }

  /** Whether the repository has the blob (HEAD). */
  boolean hasBlob(Digest digest) throws IOException {
    HttpResponse<Void> response =
        exchange(
            request("blobs/" + digest).method("HEAD", HttpRequest.BodyPublishers.noBody()),
            discarding());
    if (response.statusCode() == 404) {
      return false;
    }
    if (response.statusCode() != 200) {
      throw error(response.statusCode(), "blob " + digest, "");
    }
    return true;
  }

  /**
   * Streams a blob into {@code out}, never more than {@code size} bytes.
   *
   * @throws IOException when the transfer ends early (transient: retried)
   */
  long blob(Digest digest, long size, OutputStream out, LongConsumer progress) throws IOException {
    List<BlobSink> sinks = new ArrayList<>();
    RegistryConnection download;
    synchronized (downloads) {
      download = downloads.isEmpty() ? new RegistryConnection(endpoint.tls()) : downloads.pop();
    }
    try {
      HttpResponse<BlobSink.Received> response =
          exchange(
              download,
              request("blobs/" + digest).GET().header("Accept", "*/*"),
              BlobSink.into(
                  out, size, progress, "blob " + digest + " from " + endpoint.registry(), sinks),
              scopes);
      if (response.statusCode() != 200) {
        throw error(response.statusCode(), "blob " + digest, response.body().errorText());
      }
      return response.body().bytes();
    } catch (IOException e) {
      // The HTTP client reports a refused body as an I/O error; it is not one to retry.
      if (e.getCause() instanceof ApplianceException refused) {
        throw refused;
      }
      throw e;
    } finally {
      synchronized (sinks) {
        sinks.forEach(BlobSink::close);
      }
      synchronized (downloads) {
        downloads.push(download);
      }
    }
  }

  /** Uploads of blobs into this repository. */
  BlobUpload uploads(UploadPolicy policy) {
    return new BlobUpload(this, policy);
  }

  /**
   * The repository's tags, in the registry's order, asked for {@code pageSize} at a time (following
   * {@code Link}).
   */
  List<String> tags(int pageSize) throws IOException {
    List<String> tags = new ArrayList<>();
    HttpRequest.Builder next =
        request("tags/list?n=" + pageSize).GET().header("Accept", "application/json");
    for (int page = 1; next != null; page++) {
      if (page > MAX_TAG_PAGES) {
        throw new ApplianceException(
            endpoint.registry()
                + "/"
                + repository
                + ": the tag list goes on for more than "
                + MAX_TAG_PAGES
                + " pages");
      }
      HttpResponse<InputStream> response = expectOneOf(next, null, "tag list", 200);
      try (InputStream in = response.body()) {
        JSON.readTree(in.readNBytes(MAX_TAG_LIST))
            .path("tags")
            .forEach(tag -> tags.add(tag.asText()));
      }
      Optional<String> link =
          response
              .headers()
              .firstValue("Link")
              .map(value -> value.replaceFirst("^\\s*<([^>]*)>.*$", "$1"));
      next =
          link.isEmpty()
              ? null
              : request(RegistryConnection.resolve(response.uri(), link.get()))
                  .GET()
                  .header("Accept", "application/json");
    }
    return tags;
  }

  String registry() {
    return endpoint.registry();
  }

  String repository() {
    return repository;
  }

  /** A request to {@code /v2/REPOSITORY/PATH}. */
  HttpRequest.Builder request(String path) {
    return request(endpoint.apiRoot().resolve(repository + "/" + path));
  }

  static HttpRequest.Builder request(URI uri) {
    return HttpRequest.newBuilder(uri).timeout(TIMEOUT).header("User-Agent", "appliance");
  }

  /**
   * Sends the request (with the scopes this client needs when {@code needed} is null) and turns any
   * status but {@code expected} into a typed error.
   */
  HttpResponse<InputStream> expectOneOf(
      HttpRequest.Builder request, List<Scope> needed, String what, int... expected)
      throws IOException {
    HttpResponse<InputStream> response =
        exchange(request, ofInputStream(), needed == null ? scopes : needed);
    for (int status : expected) {
      if (response.statusCode() == status) {
        return response;
      }
    }
    throw error(response.statusCode(), what, RegistryConnection.errorText(response));
  }

  <T> HttpResponse<T> exchange(HttpRequest.Builder request, HttpResponse.BodyHandler<T> body)
      throws IOException {
    return exchange(request, body, scopes);
  }

  /**
   * Sends the request with the authorization the registry wants for {@code needed}; a 401 is
   * answered once (a first challenge, or an expired token).
   */
  <T> HttpResponse<T> exchange(
      HttpRequest.Builder request, HttpResponse.BodyHandler<T> body, List<Scope> needed)
      throws IOException {
    return exchange(http, request, body, needed);
  }

  private <T> HttpResponse<T> exchange(
      RegistryConnection http,
      HttpRequest.Builder request,
      HttpResponse.BodyHandler<T> body,
      List<Scope> needed)
      throws IOException {
    for (int attempt = 1; ; attempt++) {
      HttpRequest built = request.build();
      Optional<String> authorization = auth.header(built.uri(), needed);
      if (authorization.isPresent()) {
        built =
            HttpRequest.newBuilder(built, (name, value) -> true)
                .setHeader("Authorization", authorization.get())
                .build();
      }
      HttpResponse<T> response = http.send(built, body);
      if (response.statusCode() != 401 || attempt == 2) {
        return response;
      }
      RegistryConnection.discard(response);
      auth.challenged(response.headers().firstValue("WWW-Authenticate").orElse(""), needed);
    }
  }

  /**
   * The typed error for an unexpected status; {@code detail} is the registry's explanation, if any.
   */
  private RegistryException error(int status, String what, String detail) {
    String where = endpoint.registry() + "/" + repository;
    if (status == 401 || status == 403) {
      return RegistryException.forStatus(
          status,
          where
              + ": authentication failed or access denied (HTTP "
              + status
              + "): check the credentials (docker config, credential helper, or the user name and password given)");
    }
    if (status == 404) {
      return RegistryException.forStatus(
          status, where + ": " + what + " not found (HTTP 404)" + detail);
    }
    return RegistryException.forStatus(
        status, where + ": HTTP " + status + " for " + what + detail);
  }

  static HttpResponse.BodyHandler<InputStream> ofInputStream() {
    return HttpResponse.BodyHandlers.ofInputStream();
  }

  static HttpResponse.BodyHandler<Void> discarding() {
    return HttpResponse.BodyHandlers.discarding();
  }

  @Override
  public String toString() {
    return "RegistryClient[" + endpoint.apiRoot() + repository + "]";
  }
}
