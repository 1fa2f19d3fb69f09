package dev.appliance.common;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

class ParallelGzipOutputStreamTest {
  private static byte[] sample(int size) {
    Random random = new Random(42);
    byte[] data = new byte[size];
    for (int i = 0; i < size; i++) {
      // Compressible but not trivial, with repeats across chunk borders.
      data[i] = (byte) (i % 1000 < 500 ? "abcdefgh".charAt(i % 8) : random.nextInt(16));
    }
    return data;
  }

  private static byte[] gzip(byte[] data, int writeSize) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (ParallelGzipOutputStream gz = new ParallelGzipOutputStream(out, 1)) {
      for (int off = 0; off < data.length; off += writeSize) {
        gz.write(data, off, Math.min(writeSize, data.length - off));
      }
    }
    return out.toByteArray();
  }

  @Test
  void roundTripsAcrossChunksAndIsIndependentOfWriteSizes() throws Exception {
    for (int size :
        new int[] {
          0, 1, ParallelGzipOutputStream.CHUNK, 3 * ParallelGzipOutputStream.CHUNK + 12345
        }) {
      byte[] data = sample(size);
      byte[] a = gzip(data, 7919);
      byte[] b = gzip(data, 65536);
      assertArrayEquals(a, b, "same bytes whatever the write pattern");
      try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(a))) {
        assertArrayEquals(data, in.readAllBytes());
      }
    }
  }

  @Test
  void theBytesDoNotDependOnTheThreadsNorOnNarrowingThemMidStream() throws Exception {
    byte[] data = sample(9 * ParallelGzipOutputStream.CHUNK + 777);
    byte[] own = gzip(data, 65536);
    for (int cores : new int[] {1, 4}) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      try (DeflateThreads threads = new DeflateThreads(cores);
          ParallelGzipOutputStream gz = new ParallelGzipOutputStream(out, 1, threads)) {
        int half = data.length / 2;
        gz.write(data, 0, half);
        threads.narrowedDuring(
            () -> {
              assertEquals(1, threads.width(), "one thread while a step runs");
              try {
                gz.write(data, half, data.length - half - 100);
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
              return null;
            });
        assertEquals(cores, threads.width(), "every thread again after the step");
        gz.write(data, data.length - 100, 100);
      }
      assertArrayEquals(own, out.toByteArray(), cores + " shared threads, narrowed mid-stream");
    }
  }
}
