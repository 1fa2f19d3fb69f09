package dev.appliance.runtime.disk;

import java.io.ByteArrayOutputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;

/**
 * Recovers the raw bytes of PAX {@code SCHILY.xattr.*} values. Commons Compress decodes every PAX
 * value as UTF-8, which destroys binary xattrs that GNU tar wrote byte for byte (POSIX ACLs, many
 * file capabilities). This stream sits under the tar reader and keeps the bytes read since {@link
 * #restart()}; after the reader returns an entry, {@link #xattrs()} re-parses the PAX header among
 * them.
 */
final class RawPaxHeaders extends FilterInputStream {
  private static final int BLOCK = 512;
  private static final int KEEP = 1 << 20;
  private static final String XATTR = "SCHILY.xattr.";

  private final ByteArrayOutputStream window = new ByteArrayOutputStream();
  private long position;
  private long windowStart;

  RawPaxHeaders(InputStream in) {
    super(in);
  }

  /** Forget what was read so far: the next entry's headers follow. */
  void restart() {
    window.reset();
    windowStart = position;
  }

  @Override
  public int read() throws IOException {
    int b = in.read();
    if (b >= 0) {
      record(new byte[] {(byte) b}, 0, 1);
    }
    return b;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    int n = in.read(b, off, len);
    if (n > 0) {
      record(b, off, n);
    }
    return n;
  }

  @Override
  public long skip(long n) throws IOException {
    long skipped = in.skip(n);
    position += skipped;
    restart();
    return skipped;
  }

  private void record(byte[] b, int off, int len) {
    window.write(b, off, len);
    position += len;
    if (window.size() > 2 * KEEP) {
      // Skipped file data passes through here too; only the tail can hold the headers.
      byte[] all = window.toByteArray();
      window.reset();
      window.write(all, all.length - KEEP, KEEP);
      windowStart += all.length - KEEP;
    }
  }

  /** The xattrs of the last PAX extended header in the window, raw; empty when there is none. */
  Map<String, byte[]> xattrs() {
    Map<String, byte[]> xattrs = new HashMap<>();
    records()
        .forEach(
            (key, value) -> {
              if (key.startsWith(XATTR)) {
                xattrs.put(key.substring(XATTR.length()), value);
              }
            });
    return xattrs;
  }

  /**
   * Every record of the last PAX extended header in the window (path, linkpath, ...), raw values.
   */
  Map<String, byte[]> records() {
    byte[] data = window.toByteArray();
    int first = (int) ((BLOCK - windowStart % BLOCK) % BLOCK);
    Map<String, byte[]> result = Map.of();
    for (int at = first; at + BLOCK <= data.length; at += BLOCK) {
      if (data[at + 156] == 'x' && checksumOk(data, at)) {
        long size = octal(data, at + 124, 12);
        if (size >= 0 && at + BLOCK + size <= data.length) {
          result = parse(Arrays.copyOfRange(data, at + BLOCK, at + BLOCK + (int) size));
        }
      }
    }
    return result;
  }

  private static boolean checksumOk(byte[] d, int at) {
    long stored = octal(d, at + 148, 8);
    long sum = 0;
    for (int i = 0; i < BLOCK; i++) {
      sum += (i >= 148 && i < 156) ? ' ' : (d[at + i] & 0xff);
    }
    return stored == sum;
  }

  private static long octal(byte[] d, int at, int len) {
    long value = 0;
    boolean any = false;
    for (int i = at; i < at + len; i++) {
      byte c = d[i];
      if (c >= '0' && c <= '7') {
        value = value * 8 + (c - '0');
        any = true;
      } else if (c == 0 || c == ' ') {
        if (any) {
          break;
        }
      } else {
        return -1;
      }
    }
    return any ? value : -1;
  }

  /** Records are "LEN KEY=VALUE\n", LEN counting the whole record in bytes. */
  private static Map<String, byte[]> parse(byte[] content) {
    Map<String, byte[]> records = new HashMap<>();
    int at = 0;
    while (at < content.length) {
      int space = indexOf(content, (byte) ' ', at);
      if (space < 0) {
        break;
      }
      int len;
      try {
        len = Integer.parseInt(new String(content, at, space - at, StandardCharsets.US_ASCII));
      } catch (NumberFormatException e) {
        break;
      }
      if (len <= 0 || at + len > content.length) {
        break;
      }
      int equals = indexOf(content, (byte) '=', space + 1);
      if (equals > 0 && equals < at + len) {
        String key = new String(content, space + 1, equals - space - 1, StandardCharsets.UTF_8);
        records.put(key, Arrays.copyOfRange(content, equals + 1, at + len - 1));
      }
      at += len;
    }
    return records;
  }

  private static int indexOf(byte[] d, byte b, int from) {
    for (int i = from; i < d.length; i++) {
      if (d[i] == b) {
        return i;
      }
    }
    return -1;
  }
}
