package dev.appliance.registry;

import dev.appliance.common.ApplianceException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;
import java.util.function.LongConsumer;

/**
 * Receives a blob download straight from the HTTP client's buffers into the store's writer, never
 * beyond the size its descriptor gives. Reading through {@code BodyHandlers.ofInputStream()}
 * instead hands every 16 KiB buffer from the client's thread to the reader's, which doubled a
 * pull's CPU time here.
 *
 * <p>An error response's body is kept (its first 512 bytes) as the reason. Once {@link #close} has
 * run nothing more is written, so a cancelled download cannot touch a writer its caller has already
 * closed.
 */
final class BlobSink implements HttpResponse.BodySubscriber<BlobSink.Received> {
  private static final int ERROR_TEXT_BYTES = 512;

  /** What arrived: the bytes written (a 200), or the error text (any other status). */
  record Received(long bytes, String errorText) {}

  private final OutputStream out;
  private final long size;
  private final LongConsumer progress;
  private final boolean ok;
  private final String what;
  private final CompletableFuture<Received> result = new CompletableFuture<>();
  private final StringBuilder errorText = new StringBuilder();
  private Flow.Subscription subscription;
  private long total;
  private boolean closed;
  private byte[] scratch;

  private BlobSink(OutputStream out, long size, LongConsumer progress, boolean ok, String what) {
    this.out = out;
    this.size = size;
    this.progress = progress;
    this.ok = ok;
    this.what = what;
  }

  /**
   * A handler that writes a 200 response's body into {@code out}; {@code what} names the blob in
   * errors.
   */
  static HttpResponse.BodyHandler<Received> into(
      OutputStream out, long size, LongConsumer progress, String what, List<BlobSink> opened) {
    return info -> {
      BlobSink sink = new BlobSink(out, size, progress, info.statusCode() == 200, what);
      synchronized (opened) {
        opened.add(sink);
      }
      return sink;
    };
  }

  @Override
  public CompletionStage<Received> getBody() {
    return result;
  }

  @Override
  public synchronized void onSubscribe(Flow.Subscription subscription) {
    this.subscription = subscription;
    if (closed) {
      subscription.cancel();
    } else {
      subscription.request(1);
    }
  }

  @Override
  public synchronized void onNext(List<ByteBuffer> buffers) {
    if (closed || result.isDone()) {
      return;
    }
    try {
      for (ByteBuffer buffer : buffers) {
        if (ok) {
          write(buffer);
        } else {
          keepErrorText(buffer);
        }
      }
    } catch (IOException | RuntimeException e) {
      subscription.cancel();
      result.completeExceptionally(e);
      return;
    }
    subscription.request(1);
  }

  private void write(ByteBuffer buffer) throws IOException {
    int n = buffer.remaining();
    if (total + n > size) {
      // Checked before writing: not one byte beyond the declared size reaches the store.
      throw new ApplianceException(
          what + " is larger than the " + size + " bytes its manifest says");
    }
    if (buffer.hasArray()) {
      out.write(buffer.array(), buffer.arrayOffset() + buffer.position(), n);
    } else {
      if (scratch == null || scratch.length < n) {
        scratch = new byte[Math.max(n, 1 << 16)];
      }
      buffer.get(scratch, 0, n);
      out.write(scratch, 0, n);
    }
    total += n;
    progress.accept(total);
  }

  private void keepErrorText(ByteBuffer buffer) {
    int n = Math.min(buffer.remaining(), ERROR_TEXT_BYTES - errorText.length());
    if (n > 0) {
      byte[] bytes = new byte[n];
      buffer.get(bytes);
      errorText.append(new String(bytes, StandardCharsets.UTF_8));
    }
  }

  @Override
  public synchronized void onError(Throwable error) {
    result.completeExceptionally(error);
  }

  @Override
  public synchronized void onComplete() {
    if (ok && total < size) {
      result.completeExceptionally(
          new IOException(what + " ended after " + total + " of " + size + " bytes"));
      return;
    }
    String text = errorText.toString().strip().replaceAll("\\p{Cntrl}", " ");
    result.complete(new Received(total, text.isEmpty() ? "" : ": " + text));
  }

  /** Stops the download: after this returns, nothing more is written. */
  synchronized void close() {
    closed = true;
    if (subscription != null) {
      subscription.cancel();
    }
  }
}
