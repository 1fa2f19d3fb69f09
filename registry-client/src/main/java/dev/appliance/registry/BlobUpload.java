package dev.appliance.registry;

import dev.appliance.oci.Digest;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/**
 * Uploads blobs into one repository: a cross-repository mount when another repository of the
 * registry is known to hold the blob, otherwise the bytes of the stored file as they are, in one
 * request or in chunks ({@link UploadPolicy}). The registry checks the digest when the upload is
 * committed, so the blob it keeps is exactly the local one or none.
 */
final class BlobUpload {
  private static final String OCTETS = "application/octet-stream";

  private final RegistryClient client;
  private final UploadPolicy policy;

  BlobUpload(RegistryClient client, UploadPolicy policy) {
    this.client = client;
    this.policy = policy;
  }

  /**
   * Asks the registry to mount the blob from repository {@code from} of the same registry; true
   * when it did (HTTP 201). A registry that cannot opens an upload session instead, which is left
   * to expire.
   */
  boolean mount(Digest digest, String from) throws IOException {
    HttpResponse<InputStream> response =
        client.expectOneOf(
            client
                .request(
                    "blobs/uploads/?mount=" + query(digest.toString()) + "&from=" + query(from))
                .POST(HttpRequest.BodyPublishers.noBody()),
            List.of(Scope.push(client.repository()), Scope.pull(from)),
            "mount of blob " + digest,
            201,
            202);
    RegistryConnection.discard(response);
    return response.statusCode() == 201;
  }

  /**
   * Uploads {@code size} bytes of {@code file} as blob {@code digest}; {@code progress} receives
   * the bytes sent so far in this attempt.
   */
  void upload(Digest digest, Path file, long size, LongConsumer progress) throws IOException {
    HttpResponse<InputStream> started =
        client.expectOneOf(
            client.request("blobs/uploads/").POST(HttpRequest.BodyPublishers.noBody()),
            null,
            "upload of blob " + digest,
            202);
    RegistryConnection.discard(started);
    URI location = location(started);
    AtomicLong sent = new AtomicLong();
    LongConsumer counted = n -> progress.accept(sent.addAndGet(n));
    if (size <= policy.monolithicLimit()) {
      commit(location, digest, file, 0, size, counted);
      return;
    }
    long chunk = Math.max(policy.chunkBytes(), minimumChunk(started));
    long offset = 0;
    while (offset < size) {
      long length = Math.min(chunk, size - offset);
      HttpResponse<InputStream> patched =
          client.expectOneOf(
              client
                  .request(location)
                  .method("PATCH", body(file, offset, length, counted))
                  .header("Content-Type", OCTETS)
                  .header("Content-Range", offset + "-" + (offset + length - 1)),
              null,
              "upload of blob " + digest,
              202);
      RegistryConnection.discard(patched);
      location = location(patched);
      offset += length;
    }
    commit(location, digest, file, size, 0, counted);
  }

  /** Uploads a small blob held in memory (a signature's payload or config) in one request. */
  void upload(Digest digest, byte[] content) throws IOException {
    HttpResponse<InputStream> started =
        client.expectOneOf(
            client.request("blobs/uploads/").POST(HttpRequest.BodyPublishers.noBody()),
            null,
            "upload of blob " + digest,
            202);
    RegistryConnection.discard(started);
    URI location = location(started);
    String separator = location.getRawQuery() == null ? "?" : "&";
    HttpRequest.Builder put =
        client
            .request(URI.create(location + separator + "digest=" + query(digest.toString())))
            .PUT(HttpRequest.BodyPublishers.ofByteArray(content))
            .header("Content-Type", OCTETS);
    RegistryConnection.discard(client.expectOneOf(put, null, "upload of blob " + digest, 201));
  }

  /**
   * The PUT that ends an upload, with the last {@code length} bytes from {@code offset} (none after
   * chunks).
   */
  private void commit(
      URI location, Digest digest, Path file, long offset, long length, LongConsumer progress)
      throws IOException {
    String separator = location.getRawQuery() == null ? "?" : "&";
    URI target = URI.create(location + separator + "digest=" + query(digest.toString()));
    HttpRequest.Builder put =
        client
            .request(target)
            .PUT(
                length == 0
                    ? HttpRequest.BodyPublishers.noBody()
                    : body(file, offset, length, progress))
            .header("Content-Type", OCTETS);
    RegistryConnection.discard(client.expectOneOf(put, null, "upload of blob " + digest, 201));
  }

  private static URI location(HttpResponse<?> response) throws IOException {
    String location =
        response
            .headers()
            .firstValue("Location")
            .orElseThrow(
                () ->
                    new IOException(
                        "the registry started an upload without saying where to send it (no Location)"));
    return RegistryConnection.resolve(response.uri(), location);
  }

  private static long minimumChunk(HttpResponse<?> response) {
    try {
      return response.headers().firstValue("OCI-Chunk-Min-Length").map(Long::parseLong).orElse(0L);
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  /**
   * {@code length} bytes of the file from {@code offset}, read again for each attempt the HTTP
   * client makes, counted as the client takes them.
   */
  private static HttpRequest.BodyPublisher body(
      Path file, long offset, long length, LongConsumer progress) {
    return HttpRequest.BodyPublishers.fromPublisher(
        HttpRequest.BodyPublishers.ofInputStream(
            () -> {
              try {
                FileChannel channel =
                    FileChannel.open(file, StandardOpenOption.READ).position(offset);
                return new CountingStream(Channels.newInputStream(channel), length, progress);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            }),
        length);
  }

  private static String query(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  /** At most {@code limit} bytes of a stream, reporting each read. */
  private static final class CountingStream extends FilterInputStream {
    private final LongConsumer progress;
    private long left;

    CountingStream(InputStream in, long limit, LongConsumer progress) {
      super(in);
      this.left = limit;
      this.progress = progress;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] buffer, int off, int len) throws IOException {
      if (left <= 0) {
        return -1;
      }
      int n = super.read(buffer, off, (int) Math.min(len, left));
      if (n > 0) {
        left -= n;
        progress.accept(n);
      }
      return n;
    }
  }
}
