package dev.appliance.runtime.disk;

import java.util.Map;

/**
 * What the merged image tree knows about one path: everything but file content. Hard links appear
 * as {@link EntryType#REGULAR} nodes sharing content with another path.
 */
record Node(
    EntryType type,
    String linkTarget,
    int mode,
    long uid,
    long gid,
    long mtime,
    int devMajor,
    int devMinor,
    Map<String, byte[]> xattrs) {

  static final Node ROOT = new Node(EntryType.DIRECTORY, null, 0755, 0, 0, 0, 0, 0, Map.of());

  static Node of(LayerEntry e, EntryType type) {
    return new Node(
        type,
        type == EntryType.SYMLINK ? e.linkTarget() : null,
        e.mode(),
        e.uid(),
        e.gid(),
        e.mtime(),
        e.devMajor(),
        e.devMinor(),
        e.xattrs());
  }

  /** A directory the archive implies (a member beneath it) without listing it. */
  static Node impliedDirectory(long mtime) {
    return new Node(EntryType.DIRECTORY, null, 0755, 0, 0, mtime, 0, 0, Map.of());
  }

  /** st_mode: type bits and permission bits. */
  int fullMode() {
    return type.modeBits | (type == EntryType.SYMLINK ? 0777 : mode);
  }
}
