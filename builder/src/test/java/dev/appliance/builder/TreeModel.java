package dev.appliance.builder;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * A root file system as a comparable map: path to type, mode, owner, size, link target, device
 * numbers and content digest (mtimes left out: layers clamp them). Built either by walking a
 * directory or by applying layer tars in order with OCI whiteout semantics, independently of the
 * code under test.
 */
final class TreeModel {
  private TreeModel() {}

  static Map<String, String> ofDirectory(Path root) throws IOException {
    Map<String, String> model = new TreeMap<>();
    List<Path> all = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(root)) {
      walk.forEach(all::add);
    }
    for (Path p : all) {
      if (p.equals(root)) {
        continue;
      }
      Map<String, Object> st = Files.readAttributes(p, "unix:*", LinkOption.NOFOLLOW_LINKS);
      int mode = (Integer) st.get("mode");
      int type = mode & 0170000;
      String kind =
          switch (type) {
            case 0040000 -> "dir";
            case 0120000 -> "symlink " + Files.readSymbolicLink(p);
            case 0100000 -> "file " + sha256(p);
            case 0020000 -> "char " + rdev((Long) st.get("rdev"));
            case 0060000 -> "block " + rdev((Long) st.get("rdev"));
            case 0010000 -> "fifo";
            default -> "socket";
          };
      if (kind.equals("socket")) {
        continue;
      }
      model.put(
          root.relativize(p).toString(),
          describe(kind, mode & 07777, (Integer) st.get("uid"), (Integer) st.get("gid")));
    }
    return model;
  }

  static Map<String, String> ofLayers(List<Path> layers) throws IOException {
    Map<String, String> model = new TreeMap<>();
    for (Path layer : layers) {
      try (InputStream in = Files.newInputStream(layer);
          TarArchiveInputStream tar =
              new TarArchiveInputStream(new GzipCompressorInputStream(in))) {
        TarArchiveEntry e;
        while ((e = tar.getNextEntry()) != null) {
          String name = e.getName().replaceAll("/$", "");
          String base = name.substring(name.lastIndexOf('/') + 1);
          String parent = name.contains("/") ? name.substring(0, name.lastIndexOf('/')) : "";
          if (base.equals(".wh..wh..opq")) {
            model.keySet().removeIf(k -> k.startsWith(parent + "/"));
            continue;
          }
          if (base.startsWith(".wh.")) {
            String gone = (parent.isEmpty() ? "" : parent + "/") + base.substring(4);
            model.keySet().removeIf(k -> k.equals(gone) || k.startsWith(gone + "/"));
            continue;
          }
          String kind;
          if (e.isDirectory()) {
            kind = "dir";
          } else if (e.isSymbolicLink()) {
            kind = "symlink " + e.getLinkName();
          } else if (e.isLink()) {
            // A hard link has its target's content and attributes.
            model.put(name, model.get(e.getLinkName()));
            continue;
          } else if (e.isCharacterDevice()) {
            kind = "char " + e.getDevMajor() + ":" + e.getDevMinor();
          } else if (e.isBlockDevice()) {
            kind = "block " + e.getDevMajor() + ":" + e.getDevMinor();
          } else if (e.isFIFO()) {
            kind = "fifo";
          } else {
            kind = "file " + sha256(tar);
          }
          if (!e.isDirectory()) {
            model.keySet().removeIf(k -> k.startsWith(name + "/"));
          }
          model.put(
              name,
              describe(
                  kind, e.getMode() & 07777, (int) e.getLongUserId(), (int) e.getLongGroupId()));
        }
      }
    }
    return model;
  }

  private static String describe(String kind, int mode, int uid, int gid) {
    return kind + " " + Integer.toOctalString(mode) + " " + uid + ":" + gid;
  }

  private static String rdev(long rdev) {
    long major = ((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL);
    long minor = (rdev & 0xff) | ((rdev >>> 12) & ~0xffL);
    return major + ":" + minor;
  }

  private static String sha256(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return sha256(in);
    }
  }

  private static String sha256(InputStream in) throws IOException {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      int n;
      while ((n = in.read(buffer)) > 0) {
        d.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(d.digest());
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
