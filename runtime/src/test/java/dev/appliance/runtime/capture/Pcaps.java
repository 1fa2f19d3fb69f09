package dev.appliance.runtime.capture;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** Builds small pcap files byte by byte (little-endian, microseconds) for the tests. */
final class Pcaps {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  Pcaps(int linkType) {
    ByteBuffer h = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN);
    h.putInt(0xa1b2c3d4).putShort((short) 2).putShort((short) 4).putInt(0).putInt(0);
    h.putInt(65535).putInt(linkType);
    out.writeBytes(h.array());
  }

  Pcaps() {
    this(1);
  }

  /** A record announcing {@code announced} bytes and carrying {@code frame}. */
  Pcaps record(long seconds, int micros, int announced, byte[] frame) {
    ByteBuffer r = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN);
    r.putInt((int) seconds).putInt(micros).putInt(announced).putInt(announced);
    out.writeBytes(r.array());
    out.writeBytes(frame);
    return this;
  }

  Pcaps frame(long seconds, int micros, byte[] frame) {
    return record(seconds, micros, frame.length, frame);
  }

  byte[] bytes() {
    return out.toByteArray();
  }

  /** A broadcast Ethernet frame of {@code length} bytes whose payload bytes are {@code fill}. */
  static byte[] ethernet(int length, byte fill) {
    byte[] f = new byte[length];
    java.util.Arrays.fill(f, fill);
    for (int i = 0; i < 6; i++) {
      f[i] = (byte) 0xff;
    }
    f[12] = 0x08;
    f[13] = 0x00;
    return f;
  }
}
