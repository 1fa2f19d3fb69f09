package dev.appliance.runtime.backup;

import dev.appliance.common.InvalidInputException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * gzip of one chunk. Compression is deterministic (no time or name in the header, a fixed level),
 * so an unchanged chunk gives the same blob digest in every backup: that is what makes backups
 * incremental. Decompression is bounded: a chunk never expands past its length.
 */
final class ChunkCodec {
  private ChunkCodec() {}

  static byte[] compress(byte[] data, int length) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(length / 2 + 64);
    try (GZIPOutputStream gzip = new FastGzip(out)) {
      gzip.write(data, 0, length);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // in memory: cannot happen
    }
    return out.toByteArray();
  }

  /**
   * The chunk in {@code gzip}, which must be exactly {@code length} bytes and one whole gzip stream
   * (its CRC checked); {@code where} names the chunk in errors.
   */
  static byte[] decompress(byte[] gzip, int length, String where) {
    byte[] data = new byte[length];
    try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gzip), 64 << 10)) {
      int n = in.readNBytes(data, 0, length);
      if (n != length || in.read() != -1) {
        throw new InvalidInputException(
            where
                + ": expands to "
                + (n < length ? n : "more than " + length)
                + " bytes, not "
                + length);
      }
    } catch (IOException e) {
      throw new InvalidInputException(where + ": not a valid gzip stream: " + e.getMessage(), e);
    }
    return data;
  }

  /** gzip at deflate level 1: volumes are large, and the speed matters more than the last 10 %. */
  private static final class FastGzip extends GZIPOutputStream {
    FastGzip(ByteArrayOutputStream out) throws IOException {
      super(out, 64 << 10);
      def.setLevel(Deflater.BEST_SPEED);
    }
  }
}
