package dev.appliance.runtime.capture;

import dev.appliance.common.InvalidInputException;
import java.io.BufferedInputStream;
import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a classic pcap stream (a file, or tcpdump's output) of Ethernet frames, which is untrusted
 * input: the header must be pcap 2.4 with link type Ethernet, every record whole, every frame from
 * an Ethernet header ({@value #MIN_FRAME} bytes) to {@value #MAX_FRAME} bytes (what one VDE stream
 * packet can carry). An error names the source, the record and its byte offset. pcapng is refused
 * with the command that converts it.
 */
public final class PcapFile implements Closeable {
  public static final int MIN_FRAME = 14;
  public static final int MAX_FRAME = 65535;
  private static final int LINKTYPE_ETHERNET = 1;

  /** One frame and when it was captured, in nanoseconds since the epoch. */
  public record Frame(long timestampNanos, byte[] data) {}

  /** What a whole file holds. */
  public record Summary(long frames, long bytes, long durationNanos) {}

  private final InputStream in;
  private final String source;
  private final ByteOrder order;
  private final long fractionsPerSecond;
  private long offset;
  private long record;

  /**
   * Reads and checks the global header.
   *
   * @param source names the stream in errors
   */
  public PcapFile(InputStream in, String source) throws IOException {
    this.in = new BufferedInputStream(in, 1 << 16);
    this.source = source;
    byte[] header = new byte[24];
    if (!readFully(header)) {
      throw invalid("too short for a pcap header (24 bytes)");
    }
    int magic = ByteBuffer.wrap(header, 0, 4).order(ByteOrder.BIG_ENDIAN).getInt();
    switch (magic) {
      case 0xa1b2c3d4 -> {
        order = ByteOrder.BIG_ENDIAN;
        fractionsPerSecond = 1_000_000;
      }
      case 0xd4c3b2a1 -> {
        order = ByteOrder.LITTLE_ENDIAN;
        fractionsPerSecond = 1_000_000;
      }
      case 0xa1b23c4d -> {
        order = ByteOrder.BIG_ENDIAN;
        fractionsPerSecond = 1_000_000_000;
      }
      case 0x4d3cb2a1 -> {
        order = ByteOrder.LITTLE_ENDIAN;
        fractionsPerSecond = 1_000_000_000;
      }
      case 0x0a0d0d0a ->
          throw invalid(
              "is pcapng, not pcap; convert it with `tcpdump -r FILE -w OUT.pcap`"
                  + " or `editcap -F pcap FILE OUT.pcap`");
      default -> throw invalid("is not a pcap file (magic number " + hex(magic) + ")");
    }
    ByteBuffer h = ByteBuffer.wrap(header).order(order);
    int major = Short.toUnsignedInt(h.getShort(4));
    int minor = Short.toUnsignedInt(h.getShort(6));
    if (major != 2 || minor != 4) {
      throw invalid("pcap version " + major + "." + minor + ", expected 2.4");
    }
    long linkType = Integer.toUnsignedLong(h.getInt(20)) & 0xffff;
    if (linkType != LINKTYPE_ETHERNET) {
      throw invalid("link type " + linkType + ", only Ethernet (1) can be replayed");
    }
    offset = 24;
  }

  /** Checks a whole file, every record, before anything uses it. */
  public static Summary check(Path file) {
    try (PcapFile pcap = new PcapFile(Files.newInputStream(file), file.toString())) {
      long frames = 0;
      long bytes = 0;
      long first = 0;
      long last = 0;
      for (Frame f; (f = pcap.next()) != null; ) {
        if (frames == 0) {
          first = f.timestampNanos();
        }
        last = f.timestampNanos();
        frames++;
        bytes += f.data().length;
      }
      return new Summary(frames, bytes, Math.max(0, last - first));
    } catch (IOException e) {
      throw new InvalidInputException(file + ": cannot read: " + e.getMessage());
    }
  }

  /** The next frame, or null at the end of the stream. */
  public Frame next() throws IOException {
    byte[] header = new byte[16];
    long at = offset;
    int got = in.readNBytes(header, 0, 16);
    if (got == 0) {
      return null;
    }
    record++;
    if (got < 16) {
      throw invalid(where(at) + ": truncated record header");
    }
    ByteBuffer h = ByteBuffer.wrap(header).order(order);
    long seconds = Integer.toUnsignedLong(h.getInt(0));
    long fraction = Integer.toUnsignedLong(h.getInt(4));
    long length = Integer.toUnsignedLong(h.getInt(8));
    if (fraction >= fractionsPerSecond) {
      throw invalid(where(at) + ": timestamp fraction " + fraction + " is out of range");
    }
    if (length < MIN_FRAME || length > MAX_FRAME) {
      throw invalid(
          where(at)
              + ": frame of "
              + length
              + " bytes (an Ethernet frame here has "
              + MIN_FRAME
              + " to "
              + MAX_FRAME
              + ")");
    }
    byte[] data = new byte[(int) length];
    offset += 16;
    if (!readFully(data)) {
      throw invalid(where(at) + ": truncated frame (" + length + " bytes announced)");
    }
    offset += length;
    long nanos = seconds * 1_000_000_000L + fraction * (1_000_000_000L / fractionsPerSecond);
    return new Frame(nanos, data);
  }

  private boolean readFully(byte[] buffer) throws IOException {
    try {
      return in.readNBytes(buffer, 0, buffer.length) == buffer.length;
    } catch (EOFException e) {
      return false;
    }
  }

  private String where(long at) {
    return "record " + record + " at byte " + at;
  }

  private InvalidInputException invalid(String message) {
    return new InvalidInputException(source + ": " + message);
  }

  private static String hex(int value) {
    return String.format("0x%08x", value);
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
