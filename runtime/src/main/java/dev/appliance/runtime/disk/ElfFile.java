package dev.appliance.runtime.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The two things a dynamic loader needs to know about a 64-bit little-endian ELF file (x86-64, what
 * appliance runs on): its interpreter and its DT_NEEDED libraries.
 *
 * @param interpreter PT_INTERP path, or null for a static program or a library
 * @param needed DT_NEEDED sonames in file order
 */
record ElfFile(String interpreter, List<String> needed) {
  private static final int PT_LOAD = 1;
  private static final int PT_DYNAMIC = 2;
  private static final int PT_INTERP = 3;
  private static final long DT_NEEDED = 1;
  private static final long DT_STRTAB = 5;

  /**
   * @return null when the file is not a 64-bit little-endian ELF file
   */
  static ElfFile read(Path file) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    if (b.limit() < 64 || b.getInt(0) != 0x464c457f || b.get(4) != 2 || b.get(5) != 1) {
      return null;
    }
    long phoff = b.getLong(32);
    int phentsize = Short.toUnsignedInt(b.getShort(54));
    int phnum = Short.toUnsignedInt(b.getShort(56));
    String interpreter = null;
    long dynOffset = -1;
    long dynSize = 0;
    List<long[]> loads = new ArrayList<>();
    for (int i = 0; i < phnum; i++) {
      int ph = (int) (phoff + (long) i * phentsize);
      int type = b.getInt(ph);
      long offset = b.getLong(ph + 8);
      long vaddr = b.getLong(ph + 16);
      long filesz = b.getLong(ph + 32);
      switch (type) {
        case PT_INTERP -> interpreter = string(b, (int) offset);
        case PT_DYNAMIC -> {
          dynOffset = offset;
          dynSize = filesz;
        }
        case PT_LOAD -> loads.add(new long[] {vaddr, offset, filesz});
        default -> {}
      }
    }
    List<String> names = new ArrayList<>();
    List<Long> needed = new ArrayList<>();
    long strtab = -1;
    for (long at = dynOffset; dynOffset >= 0 && at + 16 <= dynOffset + dynSize; at += 16) {
      long tag = b.getLong((int) at);
      long value = b.getLong((int) at + 8);
      if (tag == 0) {
        break;
      } else if (tag == DT_NEEDED) {
        needed.add(value);
      } else if (tag == DT_STRTAB) {
        strtab = fileOffset(loads, value);
      }
    }
    for (long offset : needed) {
      if (strtab >= 0) {
        names.add(string(b, (int) (strtab + offset)));
      }
    }
    return new ElfFile(interpreter, List.copyOf(names));
  }

  private static long fileOffset(List<long[]> loads, long vaddr) {
    for (long[] load : loads) {
      if (vaddr >= load[0] && vaddr < load[0] + load[2]) {
        return vaddr - load[0] + load[1];
      }
    }
    return -1;
  }

  private static String string(ByteBuffer b, int at) {
    int end = at;
    while (end < b.limit() && b.get(end) != 0) {
      end++;
    }
    byte[] bytes = new byte[end - at];
    b.get(at, bytes);
    return new String(bytes, StandardCharsets.UTF_8);
  }
}
