package dev.appliance.common;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.zip.CRC32;
import java.util.zip.Deflater;

/**
 * A gzip stream compressed on all cores, the way pigz does it: the input is cut into fixed 1 MiB
 * chunks, each deflated independently (primed with the last 32 KiB of the chunk before it as
 * dictionary) and ended with a sync flush, so the concatenated outputs form one valid deflate
 * stream. The output depends only on the input, the level and the chunk size, never on timing or
 * thread count, which keeps layers reproducible. The header is fixed: mtime 0, no name, OS 255.
 */
public final class ParallelGzipOutputStream extends OutputStream {
  static final int CHUNK = 1 << 20;
  private static final int DICTIONARY = 32 * 1024;
  private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 255};

  private final OutputStream out;
  private final int level;
  private final DeflateThreads threads;
  private final boolean ownThreads;
  private final int maxPending;
  private final Deque<Future<byte[]>> pending = new ArrayDeque<>();
  private final CRC32 crc = new CRC32();
  private byte[] chunk = new byte[CHUNK];
  private int filled;
  private byte[] previous;
  private long total;
  private boolean closed;

  /** Compresses on threads of its own, one per core. */
  public ParallelGzipOutputStream(OutputStream out, int level) throws IOException {
    this(out, level, new DeflateThreads(), true);
  }

  /** Compresses on {@code threads} (a build's, shared by its layers), which it leaves running. */
  public ParallelGzipOutputStream(OutputStream out, int level, DeflateThreads threads)
      throws IOException {
    this(out, level, threads, false);
  }

  private ParallelGzipOutputStream(
      OutputStream out, int level, DeflateThreads threads, boolean ownThreads) throws IOException {
    this.out = out;
    this.level = level;
    this.threads = threads;
    this.ownThreads = ownThreads;
    this.maxPending = threads.cores() * 2;
    out.write(HEADER);
  }

  @Override
  public void write(int b) throws IOException {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    crc.update(b, off, len);
    total += len;
    while (len > 0) {
      if (filled == CHUNK) {
        submit(false);
      }
      int n = Math.min(len, CHUNK - filled);
      System.arraycopy(b, off, chunk, filled, n);
      filled += n;
      off += n;
      len -= n;
    }
  }

  /**
   * Hands the current chunk to the pool; only the very last one is finished rather than flushed.
   */
  private void submit(boolean last) throws IOException {
    byte[] input = chunk;
    int length = filled;
    byte[] dictionary = previous;
    FutureTask<byte[]> task = new FutureTask<>(() -> deflate(input, length, dictionary, last));
    threads.executor().execute(task);
    pending.addLast(task);
    previous = Arrays.copyOfRange(input, Math.max(0, length - DICTIONARY), length);
    chunk = new byte[CHUNK];
    filled = 0;
    while (pending.size() >= maxPending) {
      drainOne();
    }
  }

  private byte[] deflate(byte[] input, int length, byte[] dictionary, boolean last) {
    Deflater deflater = new Deflater(level, true);
    try {
      if (dictionary != null && dictionary.length > 0) {
        deflater.setDictionary(dictionary);
      }
      deflater.setInput(input, 0, length);
      if (last) {
        deflater.finish();
      }
      java.io.ByteArrayOutputStream result = new java.io.ByteArrayOutputStream(length / 2 + 64);
      byte[] buffer = new byte[64 * 1024];
      while (true) {
        int n =
            deflater.deflate(
                buffer, 0, buffer.length, last ? Deflater.NO_FLUSH : Deflater.SYNC_FLUSH);
        result.write(buffer, 0, n);
        if (last ? deflater.finished() : n < buffer.length && deflater.needsInput()) {
          break;
        }
      }
      return result.toByteArray();
    } finally {
      deflater.end();
    }
  }

  private void drainOne() throws IOException {
    try {
      out.write(pending.removeFirst().get());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while compressing");
    } catch (ExecutionException e) {
      throw new IOException("compression failed", e.getCause());
    }
  }

  @Override
  public void close() throws IOException {
    if (closed) {
      return;
    }
    closed = true;
    try {
      submit(true);
      while (!pending.isEmpty()) {
        drainOne();
      }
      long c = crc.getValue();
      long size = total & 0xffffffffL;
      out.write(
          new byte[] {
            (byte) c, (byte) (c >> 8), (byte) (c >> 16), (byte) (c >> 24),
            (byte) size, (byte) (size >> 8), (byte) (size >> 16), (byte) (size >> 24)
          });
      out.close();
    } finally {
      if (ownThreads) {
        threads.close();
      }
    }
  }
}
