package dev.appliance.runtime.disk;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/** Writes layer blobs (tar+gzip) for tests, entry by entry, with Commons Compress. */
public final class TestLayer {
  private interface Writer {
    void write(TarArchiveOutputStream tar) throws IOException;
  }

  private final List<Writer> entries = new ArrayList<>();

  /**
   * The host's /usr/bin/true as {@code program} (relative), with the host's C library and loader,
   * laid out as in a merged-/usr Debian image: a real dynamically linked program tests can run.
   */
  public static TestLayer hostProgram(String program) throws IOException {
    Path libc = Path.of("/usr/lib/x86_64-linux-gnu/libc.so.6").toRealPath();
    Path loader = Path.of("/lib64/ld-linux-x86-64.so.2").toRealPath();
    return new TestLayer()
        .symlink("lib64", "usr/lib64")
        .symlink("lib", "usr/lib")
        .file(program, Files.readAllBytes(Path.of("/usr/bin/true")), 0755)
        .file("usr/lib/x86_64-linux-gnu/libc.so.6", Files.readAllBytes(libc), 0755)
        .file("usr/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", Files.readAllBytes(loader), 0755)
        .symlink("usr/lib64/ld-linux-x86-64.so.2", "../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2");
  }

  public TestLayer dir(String name, int mode, long uid, long gid) {
    return add(name + "/", TarConstants.LF_DIR, mode, uid, gid, null, new byte[0], Map.of());
  }

  public TestLayer file(String name, String content) {
    return file(name, content, 0644, 0, 0);
  }

  public TestLayer file(String name, String content, int mode, long uid, long gid) {
    return add(
        name,
        TarConstants.LF_NORMAL,
        mode,
        uid,
        gid,
        null,
        content.getBytes(StandardCharsets.UTF_8),
        Map.of());
  }

  public TestLayer file(String name, byte[] content, int mode) {
    return add(name, TarConstants.LF_NORMAL, mode, 0, 0, null, content, Map.of());
  }

  /** A file with xattrs, written as libarchive does (base64 values, binary-safe). */
  public TestLayer fileWithXattrs(String name, String content, Map<String, byte[]> xattrs) {
    return add(
        name,
        TarConstants.LF_NORMAL,
        0755,
        0,
        0,
        null,
        content.getBytes(StandardCharsets.UTF_8),
        xattrs);
  }

  /** An entry of any type carrying {@code data}, whatever tar says that type may carry. */
  public TestLayer rawEntry(String name, byte type, byte[] data) {
    return add(name, type, 0755, 0, 0, null, data, Map.of());
  }

  public TestLayer symlink(String name, String target) {
    return add(name, TarConstants.LF_SYMLINK, 0777, 0, 0, target, new byte[0], Map.of());
  }

  public TestLayer hardLink(String name, String target) {
    return add(name, TarConstants.LF_LINK, 0644, 0, 0, target, new byte[0], Map.of());
  }

  public TestLayer device(String name, byte type, int major, int minor, int mode) {
    entries.add(
        tar -> {
          TarArchiveEntry e = new TarArchiveEntry(name, type);
          e.setMode(mode);
          e.setDevMajor(major);
          e.setDevMinor(minor);
          e.setModTime(1_700_000_000_000L);
          tar.putArchiveEntry(e);
          tar.closeArchiveEntry();
        });
    return this;
  }

  /**
   * A file whose xattr is written the way GNU tar does: a PAX header carrying the raw value bytes,
   * which Commons Compress cannot write through its String API.
   */
  public TestLayer fileWithRawSchilyXattr(String name, String content, String xattr, byte[] value) {
    rawSchilyPax(name, xattr, value);
    return add(
        name,
        TarConstants.LF_NORMAL,
        0755,
        0,
        0,
        null,
        content.getBytes(StandardCharsets.UTF_8),
        Map.of());
  }

  /** A PAX header with one xattr and no entry after it: the next header follows at once. */
  public TestLayer rawPaxOnly(String xattr) {
    rawSchilyPax("f", xattr, new byte[] {1});
    return this;
  }

  private void rawSchilyPax(String name, String xattr, byte[] value) {
    entries.add(
        tar -> {
          ByteArrayOutputStream record = new ByteArrayOutputStream();
          byte[] key = (" SCHILY.xattr." + xattr + "=").getBytes(StandardCharsets.UTF_8);
          int len = key.length + value.length + 1;
          int digits = Integer.toString(len).length();
          len += Integer.toString(len + digits).length();
          record.write(Integer.toString(len).getBytes(StandardCharsets.US_ASCII));
          record.write(key);
          record.write(value);
          record.write('\n');
          TarArchiveEntry pax =
              new TarArchiveEntry("./PaxHeaders/" + name, TarConstants.LF_PAX_EXTENDED_HEADER_LC);
          pax.setSize(record.size());
          tar.putArchiveEntry(pax);
          tar.write(record.toByteArray());
          tar.closeArchiveEntry();
        });
  }

  private TestLayer add(
      String name,
      byte type,
      int mode,
      long uid,
      long gid,
      String link,
      byte[] content,
      Map<String, byte[]> xattrs) {
    entries.add(
        tar -> {
          TarArchiveEntry e = new TarArchiveEntry(name, type, true);
          e.setMode(mode);
          e.setUserId(uid);
          e.setGroupId(gid);
          e.setModTime(1_700_000_000_000L);
          if (link != null) {
            e.setLinkName(link);
          }
          xattrs.forEach(
              (k, v) ->
                  e.addPaxHeader("LIBARCHIVE.xattr." + k, Base64.getEncoder().encodeToString(v)));
          e.setSize(content.length);
          tar.putArchiveEntry(e);
          tar.write(content);
          tar.closeArchiveEntry();
        });
    return this;
  }

  public Path writeTo(Path file) throws IOException {
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(file));
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      for (Writer w : entries) {
        w.write(tar);
      }
    }
    return file;
  }
}
