package dev.appliance.e2e.support;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The smallest x86-64 ELF file a dynamic loader would read: a PT_INTERP and DT_NEEDED entries
 * holding any bytes, for images whose "kernel" names hostile libraries. It does not run; appliance
 * must refuse it before it tries.
 */
public final class CraftedElf {
  private static final int HEADER = 64;
  private static final int PHENT = 56;
  private static final int PHNUM = 3;

  private CraftedElf() {}

  /**
   * @param interpreter PT_INTERP; {@code needed}: the DT_NEEDED names, in order
   */
  public static byte[] of(String interpreter, List<String> needed) {
    ByteArrayOutputStream strings = new ByteArrayOutputStream();
    strings.write(0);
    long[] offsets = new long[needed.size()];
    for (int i = 0; i < needed.size(); i++) {
      offsets[i] = strings.size();
      strings.writeBytes(needed.get(i).getBytes(StandardCharsets.UTF_8));
      strings.write(0);
    }
    byte[] interp = (interpreter + "\0").getBytes(StandardCharsets.UTF_8);
    int strtab = HEADER + PHENT * PHNUM;
    int interpAt = strtab + strings.size();
    int dynamic = (interpAt + interp.length + 7) & ~7;
    int dynSize = 16 * (needed.size() + 2);
    int total = dynamic + dynSize;
    ByteBuffer b = ByteBuffer.allocate(total).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(0, 0x464c457f).put(4, (byte) 2).put(5, (byte) 1).put(6, (byte) 1);
    b.putShort(16, (short) 3).putShort(18, (short) 62).putInt(20, 1).putLong(32, HEADER);
    b.putShort(52, (short) HEADER).putShort(54, (short) PHENT).putShort(56, (short) PHNUM);
    programHeader(b, 0, 1, 0, total);
    programHeader(b, 1, 3, interpAt, interp.length);
    programHeader(b, 2, 2, dynamic, dynSize);
    b.put(strtab, strings.toByteArray()).put(interpAt, interp);
    int at = dynamic;
    for (long offset : offsets) {
      b.putLong(at, 1).putLong(at + 8, offset);
      at += 16;
    }
    b.putLong(at, 5).putLong(at + 8, strtab);
    return b.array();
  }

  private static void programHeader(ByteBuffer b, int index, int type, long offset, long size) {
    int at = HEADER + index * PHENT;
    b.putInt(at, type)
        .putInt(at + 4, 4)
        .putLong(at + 8, offset)
        .putLong(at + 16, offset)
        .putLong(at + 24, offset)
        .putLong(at + 32, size)
        .putLong(at + 40, size)
        .putLong(at + 48, 8);
  }
}
