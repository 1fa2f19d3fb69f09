package dev.appliance.runtime.disk;

import dev.appliance.common.FileNameWriter;

import java.io.IOException;
import java.io.Writer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.NavigableMap;

/**
 * The debugfs commands that give a filesystem made by {@code mke2fs -d STAGING}
 * the image's true metadata: owners, modes (setuid included), symlinks, device
 * nodes, FIFOs and xattrs. One batch, so it costs one debugfs run whoever we are.
 */
final class DebugfsScript {
    private DebugfsScript() {}

    /**
     * Writes the script to {@code script}; binary xattr values go to files beside it
     * ({@code ea_set -f}) because a command line cannot carry every byte.
     *
     * @param stagingUid owner mke2fs copied from the staging tree: no command needed where the image agrees
     */
    static void write(NavigableMap<String, Node> nodes, Path script, Path valueDir, long stagingUid, long stagingGid)
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
                    case SYMLINK -> w.write("cd " + quote("/" + EntryPath.parent(entry.getKey())) + "\n"
                            + "symlink " + name + " " + quote(node.linkTarget()) + "\n");
                    case CHAR_DEVICE, BLOCK_DEVICE, FIFO -> w.write("cd " + quote("/" + EntryPath.parent(entry.getKey())) + "\n"
                            + "mknod " + name + " " + deviceArgs(node) + "\n");
                    default -> { }
                }
                w.write("sif " + p + " mode 0" + Integer.toOctalString(node.fullMode()) + "\n");
                if (node.uid() != stagingUid || node.type() != EntryType.DIRECTORY && node.type() != EntryType.REGULAR) {
                    w.write("sif " + p + " uid " + node.uid() + "\n");
                }
                if (node.gid() != stagingGid || node.type() != EntryType.DIRECTORY && node.type() != EntryType.REGULAR) {
                    w.write("sif " + p + " gid " + node.gid() + "\n");
                }
                if (node.type() != EntryType.DIRECTORY && node.type() != EntryType.REGULAR || path.equals("/")) {
                    // mke2fs copied the staging mtimes of files and directories (not the root's);
                    // the other nodes are new.
                    w.write("sif " + p + " mtime @" + node.mtime() + "\n");
                }
                for (Map.Entry<String, byte[]> xattr : node.xattrs().entrySet()) {
                    Path value = valueDir.resolve(Integer.toString(values++));
                    Files.write(value, xattr.getValue());
                    w.write("ea_set -f " + quote(value.toString()) + " " + p + " " + quote(xattr.getKey()) + "\n");
                }
            }
        }
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
