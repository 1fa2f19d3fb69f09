package dev.appliance.runtime.disk;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
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
public record ElfFile(String interpreter, List<String> needed) {
  private static final int PT_LOAD = 1;
  private static final int PT_DYNAMIC = 2;
  private static final int PT_INTERP = 3;
  private static final long DT_NEEDED = 1;
  private static final long DT_STRTAB = 5;

  /** The most {@link #interpreterOf} reads of program headers, or of the interpreter's path. */
  private static final int MAX_HEADERS = 64 * 1024;

  /**
   * @return null when the file is not a 64-bit little-endian ELF file
   */
  static ElfFile read(Path file) throws IOException {
    ByteBuffer b = ByteBuffer.wrap(Files.readAllBytes(file)).order(ByteOrder.LITTLE_ENDIAN);
    if (!isElf64(b)) {
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

  /**
   * The PT_INTERP path of {@code file}, reading its headers and that path only (a UML kernel is
   * megabytes); null when it is not a 64-bit little-endian ELF file or names no interpreter.
   */
  public static String interpreterOf(Path file) throws IOException {
    try (FileChannel channel = FileChannel.open(file)) {
      ByteBuffer header = bytesAt(channel, 0, 64);
      if (!isElf64(header)) {
        return null;
      }
      int phentsize = Short.toUnsignedInt(header.getShort(54));
      int phnum = Short.toUnsignedInt(header.getShort(56));
      if (phentsize < 40 || (long) phentsize * phnum > MAX_HEADERS) {
        return null;
      }
      ByteBuffer table = bytesAt(channel, header.getLong(32), phentsize * phnum);
      for (int ph = 0; ph + phentsize <= table.limit(); ph += phentsize) {
        if (table.getInt(ph) == PT_INTERP) {
          // p_filesz as the file says, so bounded both ways.
          long size = Math.max(0, Math.min(table.getLong(ph + 32), MAX_HEADERS));
          return string(bytesAt(channel, table.getLong(ph + 8), (int) size), 0);
        }
      }
      return null;
    }
  }

  /** Up to {@code size} bytes at {@code at}, fewer at the end of the file. */
  private static ByteBuffer bytesAt(FileChannel channel, long at, int size) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    while (b.hasRemaining() && at >= 0 && channel.read(b, at + b.position()) > 0) {
      // until full or at the end
    }
    return b.flip();
  }

  private static boolean isElf64(ByteBuffer b) {
    return b.limit() >= 64 && b.getInt(0) == 0x464c457f && b.get(4) == 2 && b.get(5) == 1;
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
