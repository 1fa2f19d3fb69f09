package dev.appliance.runtime.disk;

import dev.appliance.common.ApplianceException;
import dev.appliance.common.FileNames;
import dev.appliance.common.InvalidInputException;
import dev.appliance.store.DamagedBlobException;
import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;

/** Streams the entries of one layer blob (tar+gzip or plain tar). */
final class LayerReader {
  private static final String SCHILY_XATTR = "SCHILY.xattr.";
  private static final String LIBARCHIVE_XATTR = "LIBARCHIVE.xattr.";

  interface Visitor {
    /** {@code content} is valid only during the call. */
    void entry(LayerEntry entry, InputStream content) throws IOException;
  }

  private LayerReader() {}

  static void read(ImageLayers image, int index, Visitor visitor) {
    read(image, index, visitor, Integer.MAX_VALUE);
  }

  /**
   * Reads entries up to and including the one at {@code lastOrdinal}, then stops decompressing. A
   * layer from the store is checked against its digest as it is read (see {@link
   * ImageLayers#open}): a damaged one fails before it is used.
   */
  static void read(ImageLayers image, int index, Visitor visitor, int lastOrdinal) {
    String layerName = image.describeLayer(index);
    try (InputStream raw = new BufferedInputStream(image.open(index), 1 << 16);
        RawPaxHeaders tap = new RawPaxHeaders(decompressed(raw, layerName));
        // Header names decoded as ISO-8859-1 stay bytes, whatever the JVM's locale (see name()).
        HeaderBoundedTarStream tar = new HeaderBoundedTarStream(tap, layerName)) {
      TarArchiveEntry entry;
      for (int ordinal = 0; ordinal <= lastOrdinal; ordinal++) {
        tap.restart();
        tar.startEntry();
        entry = nextEntry(tar, layerName);
        if (entry == null) {
          break;
        }
        LayerEntry parsed = parse(entry, layerName, tap, ordinal);
        if (parsed != null) {
          visitor.entry(parsed, tar);
        }
      }
    } catch (IOException e) {
      throw DamagedBlobException.explaining(
          e, new ApplianceException(layerName + ": cannot read layer: " + e.getMessage(), e));
    } catch (RuntimeException e) {
      throw DamagedBlobException.explaining(e, e);
    }
  }

  /**
   * A layer whose tar structure is malformed is an invalid image, not a host failure; one that ends
   * early stays a read failure (a damaged store, see the digest checks).
   */
  private static TarArchiveEntry nextEntry(HeaderBoundedTarStream tar, String layerName)
      throws IOException {
    try {
      return tar.getNextEntry();
    } catch (EOFException e) {
      throw e;
    } catch (IOException | IllegalArgumentException e) {
      throw new InvalidInputException(
          layerName
              + ": not a valid tar layer: "
              + EntryChecks.printable(String.valueOf(e.getMessage())));
    }
  }

  private static InputStream decompressed(InputStream raw, String layerName) throws IOException {
    raw.mark(4);
    byte[] magic = raw.readNBytes(4);
    raw.reset();
    if (magic.length >= 2 && (magic[0] & 0xff) == 0x1f && (magic[1] & 0xff) == 0x8b) {
      return new GZIPInputStream(raw, 1 << 16);
    }
    if (magic.length == 4
        && (magic[0] & 0xff) == 0x28
        && (magic[1] & 0xff) == 0xb5
        && (magic[2] & 0xff) == 0x2f
        && (magic[3] & 0xff) == 0xfd) {
      throw new InvalidInputException(
          layerName
              + ": zstd-compressed layers are not supported; "
              + "push the image with gzip layers");
    }
    return raw;
  }

  /**
   * @return the entry, or null for kinds a root filesystem does not need (sockets are not in tars).
   */
  private static LayerEntry parse(
      TarArchiveEntry e, String layerName, RawPaxHeaders tap, int ordinal) {
    String raw = name(e.getName(), "path", tap);
    check(EntryChecks.pathProblem(raw), layerName, raw, "");
    if (e.isSymbolicLink() || e.isLink()) {
      check(
          EntryChecks.pathProblem(name(e.getLinkName(), "linkpath", tap)),
          layerName,
          raw,
          "link target ");
    }
    String path = normalise(raw, raw, layerName);
    EntryType type;
    String link = null;
    if (e.isDirectory()) {
      type = EntryType.DIRECTORY;
    } else if (e.isSymbolicLink()) {
      type = EntryType.SYMLINK;
      link = name(e.getLinkName(), "linkpath", tap);
      if (link.isEmpty()) {
        throw refused(layerName, raw, "symlink target is empty");
      }
    } else if (e.isLink()) {
      type = EntryType.HARDLINK;
      link = normalise(name(e.getLinkName(), "linkpath", tap), raw, layerName);
    } else if (e.isCharacterDevice()) {
      type = EntryType.CHAR_DEVICE;
    } else if (e.isBlockDevice()) {
      type = EntryType.BLOCK_DEVICE;
    } else if (e.isFIFO()) {
      type = EntryType.FIFO;
    } else if (e.isFile()) {
      type = EntryType.REGULAR;
    } else {
      throw refused(layerName, raw, "unsupported tar entry type '" + (char) e.getLinkFlag() + "'");
    }
    if (path.isEmpty() && type != EntryType.DIRECTORY) {
      throw refused(layerName, raw, "the image root must be a directory");
    }
    return new LayerEntry(
        path,
        raw,
        type,
        link,
        e.getMode() & 07777,
        e.getLongUserId(),
        e.getLongGroupId(),
        e.getLastModifiedTime().toInstant().getEpochSecond(),
        e.getDevMajor(),
        e.getDevMinor(),
        xattrs(e.getExtraPaxHeaders(), tap, layerName, raw),
        ordinal,
        e.getRealSize());
  }

  private static void check(String problem, String layerName, String entry, String what) {
    if (problem != null) {
      throw refused(layerName, entry, what + problem);
    }
  }

  /**
   * A name as its bytes ({@link FileNames}): from the PAX record {@code key} when the entry has one
   * (Commons Compress decoded it as UTF-8, losing invalid bytes), else from the header, which was
   * read as ISO-8859-1, one char per byte.
   */
  private static String name(String decoded, String key, RawPaxHeaders tap) {
    if (decoded.chars().allMatch(c -> c < 0x80)) {
      return decoded;
    }
    byte[] pax = tap.records().get(key);
    return FileNames.decode(pax != null ? pax : decoded.getBytes(StandardCharsets.ISO_8859_1));
  }

  private static String normalise(String name, String entry, String layerName) {
    try {
      return EntryPath.normalise(name);
    } catch (IllegalArgumentException reason) {
      throw refused(
          layerName,
          entry,
          reason.getMessage()
              + (name.equals(entry)
                  ? ""
                  : " in link target '" + EntryChecks.printable(name) + "'"));
    }
  }

  static InvalidInputException refused(String layerName, String entry, String reason) {
    return new InvalidInputException(
        layerName + ": entry '" + EntryChecks.printable(entry) + "' refused: " + reason);
  }

  /**
   * SCHILY.xattr.NAME (GNU tar: raw bytes) and LIBARCHIVE.xattr.NAME (URL-encoded name, base64
   * value; binary-safe for writers that only have strings, like Commons Compress itself), the
   * latter winning. Commons Compress decodes SCHILY values as UTF-8, so a value that did not
   * survive that is re-read raw.
   */
  private static Map<String, byte[]> xattrs(
      Map<String, String> pax, RawPaxHeaders tap, String layerName, String entry) {
    Map<String, byte[]> xattrs = new TreeMap<>();
    Map<String, byte[]> raw = null;
    for (Map.Entry<String, String> header : pax.entrySet()) {
      if (header.getKey().startsWith(SCHILY_XATTR)) {
        String name = header.getKey().substring(SCHILY_XATTR.length());
        byte[] value = header.getValue().getBytes(StandardCharsets.UTF_8);
        if (header.getValue().indexOf('\uFFFD') >= 0) {
          raw = raw == null ? tap.xattrs() : raw;
          value = raw.get(name);
          if (value == null) {
            throw refused(
                layerName,
                entry,
                "cannot read the binary value of xattr " + EntryChecks.printable(name));
          }
        }
        xattrs.put(name, value);
      }
    }
    for (Map.Entry<String, String> header : pax.entrySet()) {
      if (header.getKey().startsWith(LIBARCHIVE_XATTR)) {
        String name =
            URLDecoder.decode(
                header.getKey().substring(LIBARCHIVE_XATTR.length()), StandardCharsets.UTF_8);
        try {
          xattrs.put(name, Base64.getDecoder().decode(header.getValue()));
        } catch (IllegalArgumentException e) {
          throw refused(
              layerName, entry, "xattr " + EntryChecks.printable(name) + " is not valid base64");
        }
      }
    }
    xattrs.forEach(
        (name, value) ->
            check(
                EntryChecks.xattrProblem(name, value),
                layerName,
                entry,
                "'" + EntryChecks.printable(name) + "': "));
    return xattrs;
  }
}
