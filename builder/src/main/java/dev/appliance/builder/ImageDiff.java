package dev.appliance.builder;

import dev.appliance.common.ApplianceException;
import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Whiteouts;
import dev.appliance.store.StoredImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * {@code appliance diff}: the paths whose type, content, mode, owner, link target, device numbers,
 * xattrs or mtime differ between two images, computed by applying each image's layers in order (OCI
 * whiteouts included).
 *
 * <p>Two images can have equal file systems and still differ: a layer may hold an entry that
 * changes nothing (a directory copied up unchanged, a whiteout of a path no lower layer has), or
 * equal entries in other bytes. Then the entries of each pair of differing layers are compared
 * instead, so that the cause of two digests differing is still named.
 */
public final class ImageDiff {
  private ImageDiff() {}

  /** A path of the merged file system and its attributes. */
  record Node(
      String type,
      String content,
      int mode,
      long uid,
      long gid,
      long mtime,
      String link,
      String xattrs) {}

  /**
   * One difference: {@code change} is {@code added}, {@code removed} or {@code changed}; {@code
   * what} lists the differing attributes.
   */
  public record Change(String path, String change, List<String> what) {}

  public static List<Change> diff(StoredImage a, StoredImage b) {
    List<Change> changes = compare(files(a), files(b), List.of());
    return changes.isEmpty() ? layerEntryChanges(a, b) : changes;
  }

  /**
   * For each layer position whose digests differ: the tar entries that differ, each marked with the
   * layer's name; the layer itself when its entries are equal.
   */
  private static List<Change> layerEntryChanges(StoredImage a, StoredImage b) {
    List<Descriptor> left = a.manifest().layers();
    List<Descriptor> right = b.manifest().layers();
    List<Change> changes = new ArrayList<>();
    for (int i = right.size(); i < left.size(); i++) {
      changes.add(
          new Change("(" + layerName(left, i) + ")", "removed", List.of("same file system")));
    }
    for (int i = left.size(); i < right.size(); i++) {
      changes.add(
          new Change("(" + layerName(right, i) + ")", "added", List.of("same file system")));
    }
    for (int i = 0; i < Math.min(left.size(), right.size()); i++) {
      if (left.get(i).digest().equals(right.get(i).digest())) {
        continue;
      }
      String name = layerName(left, i);
      List<Change> entries =
          compare(
              entries(a, a.layerFiles().get(i)),
              entries(b, b.layerFiles().get(i)),
              List.of("entry of " + name + " only, same file system"));
      changes.addAll(
          entries.isEmpty()
              ? List.of(
                  new Change(
                      "(" + name + ")",
                      "changed",
                      List.of("same entries, other tar or gzip bytes")))
              : entries);
    }
    return changes;
  }

  private static String layerName(List<Descriptor> layers, int index) {
    return "layer "
        + layers
            .get(index)
            .annotations()
            .getOrDefault(ImageBuilder.LAYER_ANNOTATION, String.valueOf(index + 1));
  }

  private static List<Change> compare(
      Map<String, Node> left, Map<String, Node> right, List<String> note) {
    List<Change> changes = new ArrayList<>();
    TreeSet<String> paths = new TreeSet<>(left.keySet());
    paths.addAll(right.keySet());
    for (String path : paths) {
      Node l = left.get(path);
      Node r = right.get(path);
      if (l == null) {
        changes.add(new Change(path, "added", note));
      } else if (r == null) {
        changes.add(new Change(path, "removed", note));
      } else if (!l.equals(r)) {
        List<String> what = new ArrayList<>();
        if (!l.type().equals(r.type())) {
          what.add("type");
        }
        if (!Objects.equals(l.content(), r.content())) {
          what.add("content");
        }
        if (l.mode() != r.mode()) {
          what.add("mode");
        }
        if (l.uid() != r.uid() || l.gid() != r.gid()) {
          what.add("owner");
        }
        if (l.mtime() != r.mtime()) {
          what.add("mtime");
        }
        if (!Objects.equals(l.link(), r.link())) {
          what.add("link");
        }
        if (!Objects.equals(l.xattrs(), r.xattrs())) {
          what.add("xattrs");
        }
        what.addAll(note);
        changes.add(new Change(path, "changed", what));
      }
    }
    return changes;
  }

  static Map<String, Node> files(StoredImage image) {
    Map<String, Node> files = new TreeMap<>();
    for (Path layer : image.layerFiles()) {
      read(image, layer, (e, tar) -> apply(files, e, tar));
    }
    return files;
  }

  /** One layer's own entries, whiteouts and opaque markers included as they are. */
  private static Map<String, Node> entries(StoredImage image, Path layer) {
    Map<String, Node> entries = new TreeMap<>();
    read(image, layer, (e, tar) -> entries.put(pathOf(e), node(e, tar)));
    return entries;
  }

  private interface EntryVisitor {
    void visit(TarArchiveEntry entry, InputStream content) throws IOException;
  }

  private static void read(StoredImage image, Path layer, EntryVisitor visitor) {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(layer), 1 << 16);
        TarArchiveInputStream tar = new TarArchiveInputStream(in, StandardCharsets.UTF_8.name())) {
      TarArchiveEntry e;
      while ((e = tar.getNextEntry()) != null) {
        visitor.visit(e, tar);
      }
    } catch (IOException e) {
      throw new ApplianceException(
          image.name() + ": cannot read layer " + layer.getFileName() + ": " + e.getMessage(), e);
    }
  }

  private static String pathOf(TarArchiveEntry e) {
    return "/" + e.getName().replaceFirst("^\\./", "").replaceAll("/$", "");
  }

  private static void apply(Map<String, Node> files, TarArchiveEntry e, InputStream content)
      throws IOException {
    String name = pathOf(e);
    String parent = name.substring(0, name.lastIndexOf('/'));
    String base = name.substring(name.lastIndexOf('/') + 1);
    if (base.equals(Whiteouts.OPAQUE_MARKER)) {
      files.keySet().removeIf(k -> k.startsWith(parent + "/"));
      return;
    }
    if (base.startsWith(Whiteouts.PREFIX)) {
      String gone = parent + "/" + base.substring(Whiteouts.PREFIX.length());
      files.keySet().removeIf(k -> k.equals(gone) || k.startsWith(gone + "/"));
      return;
    }
    if (e.isLink()) {
      files.put(name, files.get("/" + e.getLinkName().replaceFirst("^\\./", "")));
      return;
    }
    if (!e.isDirectory()) {
      files.keySet().removeIf(k -> k.startsWith(name + "/"));
    }
    files.put(name, node(e, content));
  }

  /** An entry's attributes; a hard link is its own type here, naming its target. */
  private static Node node(TarArchiveEntry e, InputStream content) throws IOException {
    String type =
        e.isLink()
            ? "hardlink"
            : e.isDirectory()
                ? "dir"
                : e.isSymbolicLink()
                    ? "symlink"
                    : e.isCharacterDevice()
                        ? "char"
                        : e.isBlockDevice() ? "block" : e.isFIFO() ? "fifo" : "file";
    String data =
        type.equals("file")
            ? sha256(content)
            : type.equals("char") || type.equals("block")
                ? e.getDevMajor() + ":" + e.getDevMinor()
                : null;
    Map<String, String> xattrs = new TreeMap<>();
    e.getExtraPaxHeaders()
        .forEach(
            (k, v) -> {
              if (k.startsWith("SCHILY.xattr.")) {
                xattrs.put(k, v);
              }
            });
    return new Node(
        type,
        data,
        e.getMode() & 07777,
        e.getLongUserId(),
        e.getLongGroupId(),
        e.getLastModifiedTime().toInstant().getEpochSecond(),
        e.isSymbolicLink() || e.isLink() ? e.getLinkName() : null,
        xattrs.toString());
  }

  private static String sha256(InputStream in) throws IOException {
    MessageDigest d = LayerWriter.sha256();
    byte[] buffer = new byte[1 << 16];
    int n;
    while ((n = in.read(buffer)) > 0) {
      d.update(buffer, 0, n);
    }
    return HexFormat.of().formatHex(d.digest());
  }
}
