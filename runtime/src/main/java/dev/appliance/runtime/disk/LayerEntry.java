package dev.appliance.runtime.disk;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * One tar entry of a layer, its name already normalised by {@link EntryPath}.
 *
 * @param path normalised path inside the image, "" for the root
 * @param rawName the name exactly as the archive has it (for error messages)
 * @param linkTarget symlink target as stored, or for a hard link the normalised path it links to
 * @param mode permission bits including setuid/setgid/sticky (07777)
 * @param mtime seconds since the epoch
 * @param xattrs extended attributes (name to raw value)
 * @param ordinal position of the entry in its layer, counting from 0
 * @param size bytes of data the tar header declares (a sparse file's full size); 0 for most types
 *     but regular files, though a hostile archive may give any entry data
 */
record LayerEntry(
    String path,
    String rawName,
    EntryType type,
    String linkTarget,
    int mode,
    long uid,
    long gid,
    long mtime,
    int devMajor,
    int devMinor,
    Map<String, byte[]> xattrs,
    int ordinal,
    long size) {

  LayerEntry {
    // Sorted: debugfs writes them in this order, and the disk must not depend on hash order.
    xattrs = Collections.unmodifiableSortedMap(new TreeMap<>(xattrs));
  }
}
