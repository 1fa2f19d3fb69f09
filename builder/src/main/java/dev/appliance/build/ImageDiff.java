package dev.appliance.build;

import dev.appliance.common.ApplianceException;
import dev.appliance.store.StoredImage;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

import java.io.IOException;
import java.io.InputStream;
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

/**
 * {@code appliance diff}: the paths whose type, content, mode, owner, link
 * target, device numbers, xattrs or mtime differ between two images, computed
 * by applying each image's layers in order (OCI whiteouts included).
 */
public final class ImageDiff {
    private ImageDiff() {}

    /** A path of the merged file system and its attributes. */
    record Node(String type, String content, int mode, long uid, long gid, long mtime, String link, String xattrs) {}

    /**
     * One difference: {@code change} is {@code added}, {@code removed} or
     * {@code changed}; {@code what} lists the differing attributes.
     */
    public record Change(String path, String change, List<String> what) {}

    public static List<Change> diff(StoredImage a, StoredImage b) {
        Map<String, Node> left = files(a);
        Map<String, Node> right = files(b);
        List<Change> changes = new ArrayList<>();
        TreeSet<String> paths = new TreeSet<>(left.keySet());
        paths.addAll(right.keySet());
        for (String path : paths) {
            Node l = left.get(path);
            Node r = right.get(path);
            if (l == null) {
                changes.add(new Change(path, "added", List.of()));
            } else if (r == null) {
                changes.add(new Change(path, "removed", List.of()));
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
                changes.add(new Change(path, "changed", what));
            }
        }
        return changes;
    }

    static Map<String, Node> files(StoredImage image) {
        Map<String, Node> files = new TreeMap<>();
        for (Path layer : image.layerFiles()) {
            try (InputStream in = new GZIPInputStream(Files.newInputStream(layer), 1 << 16);
                 TarArchiveInputStream tar = new TarArchiveInputStream(in)) {
                TarArchiveEntry e;
                while ((e = tar.getNextEntry()) != null) {
                    apply(files, e, tar);
                }
            } catch (IOException e) {
                throw new ApplianceException(image.name() + ": cannot read layer " + layer.getFileName() + ": " + e.getMessage(), e);
            }
        }
        return files;
    }

    private static void apply(Map<String, Node> files, TarArchiveEntry e, InputStream content) throws IOException {
        String name = "/" + e.getName().replaceFirst("^\\./", "").replaceAll("/$", "");
        String parent = name.substring(0, name.lastIndexOf('/'));
        String base = name.substring(name.lastIndexOf('/') + 1);
        if (base.equals(LayerWriter.OPAQUE_MARKER)) {
            files.keySet().removeIf(k -> k.startsWith(parent + "/"));
            return;
        }
        if (base.startsWith(LayerWriter.WHITEOUT_PREFIX)) {
            String gone = parent + "/" + base.substring(LayerWriter.WHITEOUT_PREFIX.length());
            files.keySet().removeIf(k -> k.equals(gone) || k.startsWith(gone + "/"));
            return;
        }
        if (e.isLink()) {
            files.put(name, files.get("/" + e.getLinkName().replaceFirst("^\\./", "")));
            return;
        }
        String type = e.isDirectory() ? "dir" : e.isSymbolicLink() ? "symlink" : e.isCharacterDevice() ? "char"
                : e.isBlockDevice() ? "block" : e.isFIFO() ? "fifo" : "file";
        String data = type.equals("file") ? sha256(content)
                : type.equals("char") || type.equals("block") ? e.getDevMajor() + ":" + e.getDevMinor() : null;
        Map<String, String> xattrs = new TreeMap<>();
        e.getExtraPaxHeaders().forEach((k, v) -> {
            if (k.startsWith("SCHILY.xattr.")) {
                xattrs.put(k, v);
            }
        });
        if (!e.isDirectory()) {
            files.keySet().removeIf(k -> k.startsWith(name + "/"));
        }
        files.put(name, new Node(type, data, e.getMode() & 07777, e.getLongUserId(), e.getLongGroupId(),
                e.getLastModifiedTime().toInstant().getEpochSecond(), e.isSymbolicLink() ? e.getLinkName() : null,
                xattrs.toString()));
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
