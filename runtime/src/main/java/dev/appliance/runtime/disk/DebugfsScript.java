package dev.appliance.runtime.disk;

import dev.appliance.common.FileNameWriter;
import dev.appliance.common.InvalidInputException;
import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.NavigableMap;

/**
 * The debugfs commands that give a filesystem made by {@code mke2fs -d STAGING} the image's true
 * metadata: owners, modes (setuid included), symlinks, device nodes, FIFOs and xattrs. One batch,
 * so it costs one debugfs run whoever we are.
 */
final class DebugfsScript {
  /**
   * debugfs reads a script with an 8 KiB line buffer: the rest of a longer line would be read as a
   * new command (and one starting with '!' runs in the host's shell).
   */
  static final int MAX_LINE_BYTES = 8000;

  private DebugfsScript() {}

  /**
   * Writes the script to {@code script}; binary xattr values go to files beside it ({@code ea_set
   * -f}) because a command line cannot carry every byte.
   *
   * @param stagingUid owner mke2fs copied from the staging tree: no command needed where the image
   *     agrees
   */
  static void write(
      NavigableMap<String, Node> nodes,
      Path script,
      Path valueDir,
      long stagingUid,
      long stagingGid)
      throws IOException {
    int values = 0;
    try (Writer w = new FileNameWriter(script)) {
      for (Map.Entry<String, Node> entry : nodes.entrySet()) {
        String path = "/" + entry.getKey();
        Node node = entry.getValue();
        String p = quote(path);
        // debugfs 1.47.0 creates these in the current directory whatever path it is
        // given, so change there first.
        String name = quote(EntryPath.name(entry.getKey()));
        switch (node.type()) {
          case SYMLINK -> {
            line(w, "cd " + quote("/" + EntryPath.parent(entry.getKey())));
            line(w, "symlink " + name + " " + quote(node.linkTarget()));
          }
          case CHAR_DEVICE, BLOCK_DEVICE, FIFO -> {
            line(w, "cd " + quote("/" + EntryPath.parent(entry.getKey())));
            line(w, "mknod " + name + " " + deviceArgs(node));
          }
          default -> {}
        }
        line(w, "sif " + p + " mode 0" + Integer.toOctalString(node.fullMode()));
        if (node.uid() != stagingUid
            || node.type() != EntryType.DIRECTORY && node.type() != EntryType.REGULAR) {
          line(w, "sif " + p + " uid " + node.uid());
        }
        if (node.gid() != stagingGid
            || node.type() != EntryType.DIRECTORY && node.type() != EntryType.REGULAR) {
          line(w, "sif " + p + " gid " + node.gid());
        }
        if (node.type() != EntryType.DIRECTORY && node.type() != EntryType.REGULAR
            || path.equals("/")) {
          // mke2fs copied the staging mtimes of files and directories (not the root's);
          // the other nodes are new.
          line(w, "sif " + p + " mtime @" + node.mtime());
        }
        for (Map.Entry<String, byte[]> xattr : node.xattrs().entrySet()) {
          Path value = valueDir.resolve(Integer.toString(values++));
          Files.write(value, xattr.getValue());
          line(w, "ea_set -f " + quote(value.toString()) + " " + p + " " + quote(xattr.getKey()));
        }
      }
    }
  }

  /**
   * Writes one command, refusing what debugfs would not read as exactly one line. Entry checks
   * already refuse control characters and over-long names; this holds even if a caller forgets
   * them.
   */
  static void line(Writer w, String command) throws IOException {
    for (int i = 0; i < command.length(); i++) {
      char c = command.charAt(i);
      if (c == '\n' || c == '\r' || c == '\0') {
        throw new InvalidInputException(
            "refused to write a debugfs command holding a line break or NUL: "
                + EntryChecks.printable(command));
      }
    }
    if (EntryChecks.bytes(command) > MAX_LINE_BYTES) {
      throw new InvalidInputException(
          "refused to write a debugfs command longer than "
              + MAX_LINE_BYTES
              + " bytes: "
              + EntryChecks.printable(command));
    }
    w.write(command);
    w.write('\n');
  }

  private static String deviceArgs(Node node) {
    return switch (node.type()) {
      case CHAR_DEVICE -> "c " + node.devMajor() + " " + node.devMinor();
      case BLOCK_DEVICE -> "b " + node.devMajor() + " " + node.devMinor();
      default -> "p";
    };
  }

  /** debugfs (libss) quoting: inside double quotes, a doubled quote is a literal one. */
  static String quote(String s) {
    return "\"" + s.replace("\"", "\"\"") + "\"";
  }
}
