package dev.appliance.builder;

import dev.appliance.common.CountingOutputStream;
import dev.appliance.common.DeflateThreads;
import dev.appliance.common.FileNames;
import dev.appliance.common.ParallelGzipOutputStream;
import dev.appliance.oci.Digest;
import dev.appliance.oci.Whiteouts;
import java.io.BufferedOutputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Writes a directory tree as a reproducible OCI layer (tar+gzip) with full fidelity: numeric
 * owners, all mode bits (setuid, setgid, sticky), symlinks, hard links, device nodes, fifos and
 * extended attributes (file capabilities) as {@code SCHILY.xattr.*} PAX records.
 *
 * <p>Reproducible: entries in sorted depth-first order, mtimes clamped to SOURCE_DATE_EPOCH, no
 * atime/ctime, no user or group names, gzip header with mtime 0, no file name and OS "unknown" (see
 * {@link ParallelGzipOutputStream}).
 *
 * <p>The tree may be an overlayfs upper directory: a character device 0/0 (an overlay whiteout)
 * becomes an OCI whiteout {@code .wh.NAME}, and a directory marked {@code trusted.overlay.opaque=y}
 * (or {@code user.overlay.opaque=y}, as overlayfs marks it in a user namespace) gets an opaque
 * marker {@code .wh..wh..opq}. Overlay bookkeeping xattrs are dropped.
 *
 * <p>A base layer's {@code /dev} holds the {@link StandardDevices} whatever the tree has: a
 * rootless build cannot create device nodes, and both kinds of build must write the same bytes.
 */
public final class LayerWriter {
  private static final List<String> OVERLAY_XATTRS = List.of("trusted.overlay.", "user.overlay.");
  private static final int S_IFMT = 0170000;
  private static final int S_IFSOCK = 0140000;
  private static final int S_IFLNK = 0120000;
  private static final int S_IFREG = 0100000;
  private static final int S_IFBLK = 0060000;
  private static final int S_IFDIR = 0040000;
  private static final int S_IFCHR = 0020000;
  private static final int S_IFIFO = 0010000;
  private static final int USTAR_NAME_MAX = 100;

  private final long sourceDateEpoch;
  private final int compressionLevel;
  private final boolean standardDevices;
  private final DeflateThreads deflateThreads; // null: threads of each write's own

  /**
   * @param sourceDateEpoch seconds; later mtimes are clamped to it
   * @param compressionLevel gzip level 1 (fast) to 9 (small)
   */
  public LayerWriter(long sourceDateEpoch, int compressionLevel) {
    this(sourceDateEpoch, compressionLevel, false, null);
  }

  private LayerWriter(
      long sourceDateEpoch,
      int compressionLevel,
      boolean standardDevices,
      DeflateThreads deflateThreads) {
    this.sourceDateEpoch = sourceDateEpoch;
    this.compressionLevel = compressionLevel;
    this.standardDevices = standardDevices;
    this.deflateThreads = deflateThreads;
  }

  /** The same writer for a base layer: {@code dev/} gets the {@link StandardDevices}. */
  LayerWriter forBaseLayer() {
    return new LayerWriter(sourceDateEpoch, compressionLevel, true, deflateThreads);
  }

  /** The same writer compressing on a build's shared threads. */
  LayerWriter deflatingOn(DeflateThreads threads) {
    return new LayerWriter(sourceDateEpoch, compressionLevel, standardDevices, threads);
  }

  /**
   * Writes {@code tree} as a compressed layer to {@code target}, which stays open.
   *
   * @param progress receives the number of uncompressed bytes written so far
   */
  public LayerBlob write(Path tree, OutputStream target, LongConsumer progress) {
    tree = tree.toAbsolutePath().normalize();
    Xattrs xattrs = Xattrs.read(tree);
    MessageDigest blobDigest = sha256();
    MessageDigest diffDigest = sha256();
    CountingOutputStream counted;
    long entries;
    try (OutputStream file =
        new FilterOutputStream(target) {
          @Override
          public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
          }

          @Override
          public void close() throws IOException {
            flush(); // the caller owns the target (e.g. a store BlobWriter that must still commit)
          }
        }) {
      counted = new CountingOutputStream(new BufferedOutputStream(file, 1 << 16));
      // Closing the tar stream finishes the gzip stream, which then flushes (not closes) the
      // target.
      OutputStream compressed = new DigestOutputStream(counted, blobDigest);
      OutputStream gzip =
          deflateThreads == null
              ? new ParallelGzipOutputStream(compressed, compressionLevel)
              : new ParallelGzipOutputStream(compressed, compressionLevel, deflateThreads);
      CountingOutputStream tarBytes =
          new CountingOutputStream(new DigestOutputStream(gzip, diffDigest));
      // Tar writes 512-byte records: batch them before digesting and compressing.
      try (TarArchiveOutputStream tar =
          new TarArchiveOutputStream(
              new BufferedOutputStream(tarBytes, 1 << 20), StandardCharsets.UTF_8.name())) {
        // Long names, big numbers and xattrs go into our own PAX header (see PaxHeader).
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_TRUNCATE);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_STAR);
        Walk walk = new Walk(tree, xattrs, tar, tarBytes, progress);
        try (SecureDirectoryStream<Path> top = InsideRoot.secure(tree)) {
          walk.directoryChildren(top, "");
        }
        entries = walk.entries;
      }
    } catch (IOException e) {
      throw new UncheckedIOException("writing layer of " + tree + ": " + e.getMessage(), e);
    }
    return new LayerBlob(
        Digest.fromSha256(blobDigest.digest()),
        Digest.fromSha256(diffDigest.digest()),
        counted.count(),
        entries);
  }

  /**
   * One pass over the tree; remembers hard links by inode. Directories and file contents are opened
   * relative to their parent directory's handle with O_NOFOLLOW, so a symbolic link in the tree (to
   * /etc/shadow, or a directory swapped for a link to /) is archived as a link and never read
   * through.
   */
  private final class Walk {
    private final Path root;
    private final Xattrs xattrs;
    private final TarArchiveOutputStream tar;
    private final CountingOutputStream tarBytes;
    private final LongConsumer progress;
    private final Map<String, String> firstNameOfInode = new HashMap<>();
    private final byte[] buffer = new byte[1 << 16];
    long entries;

    Walk(
        Path root,
        Xattrs xattrs,
        TarArchiveOutputStream tar,
        CountingOutputStream tarBytes,
        LongConsumer progress) {
      this.root = root;
      this.xattrs = xattrs;
      this.tar = tar;
      this.tarBytes = tarBytes;
      this.progress = progress;
    }

    void directoryChildren(SecureDirectoryStream<Path> dir, String prefix) throws IOException {
      List<Path> children = new ArrayList<>();
      dir.forEach(children::add);
      if (standardDevices && prefix.equals(StandardDevices.DIRECTORY)) {
        devChildren(dir, children);
        return;
      }
      // Names as the kernel's bytes (FileNames), never through the JVM's locale.
      Map<Path, String> names = new HashMap<>();
      children.forEach(child -> names.put(child, FileNames.name(child)));
      children.sort((a, b) -> compareBytes(names.get(a), names.get(b)));
      for (Path child : children) {
        entry(dir, child, prefix + names.get(child));
      }
    }

    /** dev/: the standard entries replace the tree's entries of the same name; sorted together. */
    private void devChildren(SecureDirectoryStream<Path> dir, List<Path> children)
        throws IOException {
      Map<String, Object> byName = new java.util.TreeMap<>(LayerWriter::compareBytes);
      for (Path child : children) {
        byName.put(FileNames.name(child), child);
      }
      for (StandardDevices.Node node : StandardDevices.NODES) {
        byName.put(node.name(), node);
      }
      for (Map.Entry<String, Object> e : byName.entrySet()) {
        String name = StandardDevices.DIRECTORY + e.getKey();
        if (e.getValue() instanceof Path child) {
          entry(dir, child, name);
        } else {
          StandardDevices.Node node = (StandardDevices.Node) e.getValue();
          TarArchiveEntry entry =
              new TarArchiveEntry(
                  node.type() == TarConstants.LF_DIR ? name + "/" : name, node.type());
          entry.setMode(node.mode());
          entry.setUserName("");
          entry.setGroupName("");
          entry.setLastModifiedTime(FileTime.from(sourceDateEpoch, TimeUnit.SECONDS));
          if (node.type() == TarConstants.LF_CHR) {
            entry.setDevMajor(node.major());
            entry.setDevMinor(node.minor());
          }
          put(entry, Map.of(), node.type() == TarConstants.LF_SYMLINK ? node.target() : null, null);
        }
      }
    }

    /**
     * {@code path} is {@code parentDir}'s child: its metadata comes from lstat, its content through
     * {@code parentDir}.
     */
    private void entry(SecureDirectoryStream<Path> parentDir, Path path, String name)
        throws IOException {
      if (Thread.currentThread().isInterrupted()) {
        throw new java.io.InterruptedIOException("layer writing interrupted");
      }
      Map<String, Object> st = Files.readAttributes(path, "unix:*", LinkOption.NOFOLLOW_LINKS);
      int mode = (Integer) st.get("mode");
      int type = mode & S_IFMT;
      long rdev = (Long) st.get("rdev");
      Map<String, byte[]> attrs = xattrs.of(path);
      if (type == S_IFCHR && rdev == 0) {
        String parent = name.contains("/") ? name.substring(0, name.lastIndexOf('/') + 1) : "";
        String base = name.substring(parent.length());
        put(
            header(parent + Whiteouts.PREFIX + base, TarConstants.LF_NORMAL, 0, st),
            Map.of(),
            null,
            null);
        return;
      }
      switch (type) {
        case S_IFDIR -> {
          put(header(name + "/", TarConstants.LF_DIR, mode, st), attrs, null, null);
          if (OVERLAY_XATTRS.stream()
              .anyMatch(
                  p ->
                      "y"
                          .equals(
                              new String(
                                  attrs.getOrDefault(p + "opaque", new byte[0]),
                                  StandardCharsets.US_ASCII)))) {
            put(
                header(name + "/" + Whiteouts.OPAQUE_MARKER, TarConstants.LF_NORMAL, 0, st),
                Map.of(),
                null,
                null);
          }
          try (SecureDirectoryStream<Path> dir =
              parentDir.newDirectoryStream(path.getFileName(), LinkOption.NOFOLLOW_LINKS)) {
            sameFile(parentDir, path, st);
            directoryChildren(dir, name + "/");
          }
        }
        case S_IFLNK -> {
          TarArchiveEntry e = header(name, TarConstants.LF_SYMLINK, mode, st);
          put(e, attrs, FileNames.of(Files.readSymbolicLink(path)), null);
        }
        case S_IFREG, S_IFCHR, S_IFBLK, S_IFIFO -> {
          String hardLinkTarget = null;
          if ((Integer) st.get("nlink") > 1) {
            String key = st.get("dev") + ":" + st.get("ino");
            hardLinkTarget = firstNameOfInode.putIfAbsent(key, name);
          }
          if (hardLinkTarget != null) {
            put(header(name, TarConstants.LF_LINK, mode, st), Map.of(), hardLinkTarget, null);
          } else if (type == S_IFREG) {
            TarArchiveEntry e = header(name, TarConstants.LF_NORMAL, mode, st);
            e.setSize((Long) st.get("size"));
            sameFile(parentDir, path, st);
            try (InputStream in =
                Channels.newInputStream(
                    parentDir.newByteChannel(
                        path.getFileName(),
                        Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS)))) {
              put(e, attrs, null, in);
            }
          } else {
            byte flag =
                type == S_IFCHR
                    ? TarConstants.LF_CHR
                    : type == S_IFBLK ? TarConstants.LF_BLK : TarConstants.LF_FIFO;
            TarArchiveEntry e = header(name, flag, mode, st);
            e.setDevMajor(major(rdev));
            e.setDevMinor(minor(rdev));
            put(e, attrs, null, null);
          }
        }
        case S_IFSOCK -> {
          // Sockets cannot be archived and are recreated by whoever listens on them.
        }
        default ->
            throw new IOException("unknown file type " + Integer.toOctalString(type) + ": " + path);
      }
    }

    private TarArchiveEntry header(String name, byte flag, int mode, Map<String, Object> st) {
      TarArchiveEntry e = new TarArchiveEntry(name, flag);
      e.setMode(mode & 07777);
      e.setUserId(((Integer) st.get("uid")).longValue());
      e.setGroupId(((Integer) st.get("gid")).longValue());
      e.setUserName("");
      e.setGroupName("");
      long mtime = ((FileTime) st.get("lastModifiedTime")).to(TimeUnit.SECONDS);
      e.setLastModifiedTime(FileTime.from(Math.min(mtime, sourceDateEpoch), TimeUnit.SECONDS));
      return e;
    }

    /**
     * Fails when {@code path}, seen through its parent's handle, is no longer the file whose
     * metadata was read: the tree changed while it was archived.
     */
    private void sameFile(SecureDirectoryStream<Path> parent, Path path, Map<String, Object> st)
        throws IOException {
      Object key =
          parent
              .getFileAttributeView(
                  path.getFileName(), BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
              .readAttributes()
              .fileKey();
      if (!key.equals(st.get("fileKey"))) {
        throw new IOException(path + " changed while being archived");
      }
    }

    private void put(
        TarArchiveEntry e, Map<String, byte[]> attrs, String linkName, InputStream content)
        throws IOException {
      PaxHeader pax = new PaxHeader();
      if (!FileNames.isUtf8(e.getName()) || linkName != null && !FileNames.isUtf8(linkName)) {
        // POSIX: path and linkpath records are UTF-8 unless this says they are raw bytes.
        pax.add("hdrcharset", "BINARY");
      }
      if (needsPax(e.getName())) {
        pax.add("path", FileNames.encode(e.getName()));
      }
      if (linkName != null) {
        e.setLinkName(linkName);
        if (needsPax(linkName)) {
          pax.add("linkpath", FileNames.encode(linkName));
        }
      }
      attrs.forEach(
          (k, v) -> {
            if (OVERLAY_XATTRS.stream().noneMatch(k::startsWith)) {
              pax.add("SCHILY.xattr." + k, v);
            }
          });
      if (!pax.isEmpty()) {
        byte[] data = pax.bytes();
        TarArchiveEntry x =
            new TarArchiveEntry(
                "PaxHeaders/" + truncate(e.getName()), TarConstants.LF_PAX_EXTENDED_HEADER_LC);
        x.setSize(data.length);
        x.setMode(0644);
        x.setUserName("");
        x.setGroupName("");
        x.setLastModifiedTime(e.getLastModifiedTime());
        tar.putArchiveEntry(x);
        tar.write(data);
        tar.closeArchiveEntry();
      }
      tar.putArchiveEntry(e);
      if (content != null) {
        long remaining = e.getSize();
        int n;
        while (remaining > 0
            && (n = content.read(buffer, 0, (int) Math.min(buffer.length, remaining))) > 0) {
          tar.write(buffer, 0, n);
          remaining -= n;
        }
        if (remaining > 0) {
          throw new IOException(e.getName() + " shrank while being archived");
        }
      }
      tar.closeArchiveEntry();
      entries++;
      progress.accept(tarBytes.count());
    }
  }

  /**
   * About the uncompressed size of the layer of {@code tree}: headers and padded contents (for
   * progress).
   */
  static long estimateTarSize(Path tree) {
    long[] total = {1024};
    try {
      Files.walkFileTree(
          tree,
          new java.nio.file.SimpleFileVisitor<>() {
            @Override
            public java.nio.file.FileVisitResult preVisitDirectory(
                Path dir, java.nio.file.attribute.BasicFileAttributes a) {
              total[0] += 512;
              return java.nio.file.FileVisitResult.CONTINUE;
            }

            @Override
            public java.nio.file.FileVisitResult visitFile(
                Path file, java.nio.file.attribute.BasicFileAttributes a) {
              total[0] += 512 + (a.isRegularFile() ? (a.size() + 511) / 512 * 512 : 0);
              return java.nio.file.FileVisitResult.CONTINUE;
            }
          });
    } catch (IOException e) {
      return -1;
    }
    return total[0];
  }

  private static boolean needsPax(String name) {
    // Beyond ASCII the ustar field's encoding is anyone's guess: PAX says UTF-8 (or hdrcharset).
    return FileNames.encode(name).length > USTAR_NAME_MAX || !name.chars().allMatch(c -> c < 0x80);
  }

  private static String truncate(String name) {
    String base = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
    base = base.substring(base.lastIndexOf('/') + 1).replaceAll("[^A-Za-z0-9._-]", "_");
    return base.length() > 80 ? base.substring(0, 80) : base;
  }

  /** Sorts names by their bytes, the order every tool agrees on. */
  static int compareBytes(String a, String b) {
    return java.util.Arrays.compareUnsigned(FileNames.encode(a), FileNames.encode(b));
  }

  private static int major(long rdev) {
    return (int) (((rdev >>> 8) & 0xfff) | ((rdev >>> 32) & ~0xfffL));
  }

  private static int minor(long rdev) {
    return (int) ((rdev & 0xff) | ((rdev >>> 12) & ~0xffL));
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String hex(MessageDigest digest) {
    return HexFormat.of().formatHex(digest.digest());
  }
}
