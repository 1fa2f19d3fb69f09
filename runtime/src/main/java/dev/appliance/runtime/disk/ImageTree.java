package dev.appliance.runtime.disk;

import dev.appliance.oci.Whiteouts;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;

/**
 * The image's root filesystem as the merge of its layers, bottom first, with OCI whiteouts ({@code
 * .wh.NAME}) and opaque directories ({@code .wh..wh..opq}) applied. Symlinks met on the way to an
 * entry are followed inside the image root (an absolute target starts at the image root); a member
 * that would land outside the root is refused with an {@link
 * dev.appliance.common.InvalidInputException} naming the layer and the entry. Content goes to a
 * {@link TreeSink}; this class keeps only metadata.
 */
final class ImageTree {
  private static final int MAX_SYMLINK_HOPS = 40;

  private final TreeMap<String, Node> nodes = new TreeMap<>();
  private final TreeSink sink;
  private final LayerLimits limits;
  private Set<String> layerPaths = new HashSet<>();
  private String layerName = "";
  private long entries;
  private long fileBytes;

  ImageTree(TreeSink sink, LayerLimits limits) {
    this.sink = sink;
    this.limits = limits;
    nodes.put("", Node.ROOT);
  }

  /** Merges one more layer on top of those already added. */
  void addLayer(ImageLayers image, int index) {
    this.layerName = image.describeLayer(index);
    this.layerPaths = new HashSet<>();
    LayerReader.read(image, index, this::apply);
  }

  /** Every path of the merged tree ("" is the root), sorted so parents come before children. */
  NavigableMap<String, Node> nodes() {
    return Collections.unmodifiableNavigableMap(nodes);
  }

  /**
   * Resolves {@code path} inside the image root, following every symlink on the way including a
   * final one.
   *
   * @return the real path, or null when it does not exist or leaves the image
   */
  String resolve(String path) {
    try {
      String real = walk(path, null, false);
      return real != null && nodes.containsKey(real) ? real : null;
    } catch (IOException e) {
      throw new IllegalStateException("a look-up writes nothing", e);
    }
  }

  private void apply(LayerEntry e, InputStream content) throws IOException {
    count(e);
    if (e.path().isEmpty()) {
      nodes.put("", Node.of(e, EntryType.DIRECTORY));
      return;
    }
    String name = EntryPath.name(e.path());
    boolean whiteout = name.startsWith(Whiteouts.PREFIX);
    // A whiteout in a directory lower layers do not have hides nothing: create nothing for it.
    String parent = walk(EntryPath.parent(e.path()), e, !whiteout);
    if (whiteout) {
      String hidden = name.substring(Whiteouts.PREFIX.length());
      if (hidden.isEmpty() || hidden.equals(".") || hidden.equals("..")) {
        throw LayerReader.refused(
            layerName, e.rawName(), "a whiteout must name a file, not '" + hidden + "'");
      }
      if (parent != null && name.equals(Whiteouts.OPAQUE_MARKER)) {
        opaque(parent);
      } else if (parent != null) {
        removeTree(EntryPath.child(parent, hidden));
      }
      return;
    }
    String path = EntryPath.child(parent, name);
    Node existing = nodes.get(path);
    switch (e.type()) {
      case DIRECTORY -> {
        if (existing == null || existing.type() != EntryType.DIRECTORY) {
          removeTree(path);
          sink.directory(path);
        }
        nodes.put(path, Node.of(e, EntryType.DIRECTORY));
      }
      case REGULAR -> {
        removeTree(path);
        sink.regularFile(path, e, content);
        nodes.put(path, Node.of(e, EntryType.REGULAR));
      }
      case HARDLINK -> hardLink(e, path);
      case SYMLINK -> {
        checkSymlinkTarget(e, parent);
        removeTree(path);
        nodes.put(path, Node.of(e, EntryType.SYMLINK));
      }
      default -> {
        removeTree(path);
        nodes.put(path, Node.of(e, e.type()));
      }
    }
    layerPaths.add(path);
  }

  /**
   * Entries and file bytes, all layers together, against the limits: refused before anything is
   * staged.
   */
  private void count(LayerEntry e) {
    if (++entries > limits.maxEntries()) {
      throw LayerReader.refused(
          layerName,
          e.rawName(),
          "the image has more than "
              + limits.maxEntries()
              + " entries, more than its disk can hold");
    }
    // xattr values are written to files for debugfs: they count like data.
    long bytes = e.size() + e.xattrs().values().stream().mapToLong(v -> v.length).sum();
    if (bytes > limits.maxFileBytes() - fileBytes) {
      throw LayerReader.refused(
          layerName,
          e.rawName(),
          "its "
              + bytes
              + " bytes bring the image's files past "
              + limits.maxFileBytes()
              + " bytes, the image's disk size");
    }
    fileBytes += bytes;
  }

  private void hardLink(LayerEntry e, String path) throws IOException {
    String parent = walk(EntryPath.parent(e.linkTarget()), e, false);
    String target = parent == null ? null : EntryPath.child(parent, EntryPath.name(e.linkTarget()));
    Node node = target == null ? null : nodes.get(target);
    if (node == null) {
      throw LayerReader.refused(
          layerName, e.rawName(), "hard link target '" + e.linkTarget() + "' is not in the image");
    }
    if (node.type() == EntryType.DIRECTORY) {
      throw LayerReader.refused(layerName, e.rawName(), "hard link to a directory");
    }
    if (target.equals(path)) {
      return;
    }
    removeTree(path);
    if (node.type() == EntryType.REGULAR) {
      sink.hardLink(path, target);
    }
    // Links to symlinks and device nodes become copies: same content, own inode.
    nodes.put(path, node);
  }

  /** A relative symlink may not climb above the image root (absolute ones start at it). */
  private void checkSymlinkTarget(LayerEntry e, String parent) {
    String target = e.linkTarget();
    if (target.startsWith("/")) {
      return;
    }
    int depth = parent.isEmpty() ? 0 : parent.split("/").length;
    for (String part : target.split("/")) {
      if (part.equals("..")) {
        if (--depth < 0) {
          throw LayerReader.refused(
              layerName, e.rawName(), "symlink target '" + target + "' points outside the image");
        }
      } else if (!part.isEmpty() && !part.equals(".")) {
        depth++;
      }
    }
  }

  /**
   * Walks {@code path} component by component inside the image root, following every symlink, the
   * last one included.
   *
   * <p>With {@code entry} set, {@code path} is the directory that entry goes into: every component
   * must be (or, with {@code create}, becomes) a directory, and a path through a non-directory or
   * out of the root is refused. Without it, this is a look-up: any problem gives null.
   *
   * @return the real path; null when a component is missing (and not created)
   */
  private String walk(String path, LayerEntry entry, boolean create) throws IOException {
    Deque<String> pending = new ArrayDeque<>(components(path));
    List<String> current = new ArrayList<>();
    int hops = 0;
    while (!pending.isEmpty()) {
      String part = pending.pop();
      if (part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        if (current.isEmpty()) {
          if (entry == null) {
            return null;
          }
          throw LayerReader.refused(
              layerName,
              entry.rawName(),
              "it lies beneath a symlink that points outside the image");
        }
        current.remove(current.size() - 1);
        continue;
      }
      String candidate = EntryPath.child(String.join("/", current), part);
      Node node = nodes.get(candidate);
      if (node == null) {
        if (!create) {
          return entry == null && pending.isEmpty() ? candidate : null;
        }
        node = Node.impliedDirectory(entry.mtime());
        nodes.put(candidate, node);
        sink.directory(candidate);
      }
      if (node.type() == EntryType.SYMLINK) {
        if (++hops > MAX_SYMLINK_HOPS) {
          if (entry == null) {
            return null;
          }
          throw LayerReader.refused(
              layerName, entry.rawName(), "too many levels of symbolic links");
        }
        String target = node.linkTarget();
        if (target.startsWith("/")) {
          current.clear();
        }
        List<String> parts = components(target);
        Collections.reverse(parts);
        parts.forEach(pending::push);
        continue;
      }
      if (node.type() != EntryType.DIRECTORY && (entry != null || !pending.isEmpty())) {
        if (entry == null) {
          return null;
        }
        throw LayerReader.refused(
            layerName, entry.rawName(), "'" + candidate + "' is not a directory");
      }
      current.add(part);
      if (entry != null) {
        layerPaths.add(candidate);
      }
    }
    return String.join("/", current);
  }

  private static List<String> components(String path) {
    List<String> parts = new ArrayList<>(Arrays.asList(path.split("/")));
    parts.removeIf(String::isEmpty);
    return parts;
  }

  /** Hides everything lower layers put beneath {@code dir}; this layer's own members stay. */
  private void opaque(String dir) throws IOException {
    String prefix = dir.isEmpty() ? "" : dir + "/";
    List<String> hidden = new ArrayList<>();
    Set<String> hiddenSet = new HashSet<>();
    for (String path :
        nodes.subMap(prefix, true, dir.isEmpty() ? "\uffff" : dir + "0", false).keySet()) {
      if (!path.isEmpty() && !layerPaths.contains(path) && !underAny(path, hiddenSet)) {
        hidden.add(path);
        hiddenSet.add(path);
      }
    }
    for (String path : hidden) {
      removeTree(path);
    }
  }

  private static boolean underAny(String path, Set<String> ancestors) {
    for (String p = EntryPath.parent(path); !p.isEmpty(); p = EntryPath.parent(p)) {
      if (ancestors.contains(p)) {
        return true;
      }
    }
    return false;
  }

  private void removeTree(String path) throws IOException {
    Node node = nodes.remove(path);
    if (node == null) {
      return;
    }
    nodes.subMap(path + "/", path + "0").clear();
    if (node.type() == EntryType.DIRECTORY || node.type() == EntryType.REGULAR) {
      sink.remove(path);
    }
  }
}
