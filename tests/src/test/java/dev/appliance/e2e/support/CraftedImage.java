package dev.appliance.e2e.support;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * An OCI image made from raw tar entries (any name, type, link, PAX record), arbitrary config
 * labels and an optional UML kernel file, written as an OCI layout and pushed with the real skopeo:
 * hostile images for tests.
 *
 * <pre>
 * String ref = CraftedImage.appliance("evil")
 *         .symlink("a", "x".repeat(9000))
 *         .push(dir, registry, "evil:1");
 * cli.run("run", ref).assertExit(2);
 * </pre>
 */
public final class CraftedImage {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long MTIME = 1_700_000_000_000L;

  /** Writes one tar entry (or a PAX header plus its entry) to a layer. */
  @FunctionalInterface
  public interface EntryWriter {
    void write(TarArchiveOutputStream tar) throws IOException;
  }

  private final Map<String, String> labels = new TreeMap<>();
  private final List<List<EntryWriter>> layers = new ArrayList<>();

  private CraftedImage() {
    layers.add(new ArrayList<>());
  }

  /** An image with no labels and one empty layer. */
  public static CraftedImage empty() {
    return new CraftedImage();
  }

  /**
   * An image that appliance treats as an appliance (the {@code dev.appliance.name} label), with a
   * 64 MiB disk, no kernels and a root directory entry in its first layer.
   */
  public static CraftedImage appliance(String name) {
    return empty()
        .label("dev.appliance.name", name)
        .label("dev.appliance.disk-bytes", Long.toString(64L << 20))
        .dir("./", 0755);
  }

  public CraftedImage label(String key, String value) {
    labels.put(key, value);
    return this;
  }

  /** Entries added from now on go to a new layer on top of the previous ones. */
  public CraftedImage layer() {
    layers.add(new ArrayList<>());
    return this;
  }

  /** Any entry: full control through Commons Compress. */
  public CraftedImage entry(EntryWriter writer) {
    layers.get(layers.size() - 1).add(writer);
    return this;
  }

  public CraftedImage dir(String name, int mode) {
    return entry(name, TarConstants.LF_DIR, mode, null, new byte[0], Map.of());
  }

  public CraftedImage file(String name, String content) {
    return file(name, content.getBytes(StandardCharsets.UTF_8), 0644);
  }

  public CraftedImage file(String name, byte[] content, int mode) {
    return entry(name, TarConstants.LF_NORMAL, mode, null, content, Map.of());
  }

  /**
   * A regular file with extra PAX records (e.g. {@code SCHILY.xattr.NAME}) written by Commons
   * Compress.
   */
  public CraftedImage fileWithPax(String name, String content, Map<String, String> pax) {
    return entry(
        name, TarConstants.LF_NORMAL, 0644, null, content.getBytes(StandardCharsets.UTF_8), pax);
  }

  /** A regular file of {@code size} zero bytes, streamed: a few KiB of gzip for a large file. */
  public CraftedImage zeros(String name, long size) {
    return entry(
        tar -> {
          TarArchiveEntry e = header(name, TarConstants.LF_NORMAL, 0644);
          e.setSize(size);
          tar.putArchiveEntry(e);
          byte[] block = new byte[1 << 16];
          for (long left = size; left > 0; left -= block.length) {
            tar.write(block, 0, (int) Math.min(block.length, left));
          }
          tar.closeArchiveEntry();
        });
  }

  public CraftedImage symlink(String name, String target) {
    return entry(name, TarConstants.LF_SYMLINK, 0777, target, new byte[0], Map.of());
  }

  public CraftedImage hardLink(String name, String target) {
    return entry(name, TarConstants.LF_LINK, 0644, target, new byte[0], Map.of());
  }

  /** A device node: {@code type} is {@link TarConstants#LF_CHR} or {@link TarConstants#LF_BLK}. */
  public CraftedImage device(String name, byte type, int major, int minor) {
    return entry(
        tar -> {
          TarArchiveEntry e = header(name, type, 0666);
          e.setDevMajor(major);
          e.setDevMinor(minor);
          tar.putArchiveEntry(e);
          tar.closeArchiveEntry();
        });
  }

  /**
   * A PAX extended header holding exactly {@code records} (see {@link #paxRecord}), then a regular
   * file {@code name}: the bytes a hostile writer chooses, whatever Commons Compress would write.
   */
  public CraftedImage rawPax(byte[] records, String name, String content) {
    return rawPax(records, name, content.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * {@link #rawPax(byte[], String, String)} with binary content (e.g. a PAX 1.0 sparse map and
   * data).
   */
  public CraftedImage rawPax(byte[] records, String name, byte[] content) {
    entry(
        tar -> {
          TarArchiveEntry pax =
              new TarArchiveEntry("./PaxHeaders/f", TarConstants.LF_PAX_EXTENDED_HEADER_LC);
          pax.setSize(records.length);
          tar.putArchiveEntry(pax);
          tar.write(records);
          tar.closeArchiveEntry();
        });
    return file(name, content, 0644);
  }

  /** One PAX record, {@code "LEN KEY=VALUE\n"} with LEN counting the whole record in bytes. */
  public static byte[] paxRecord(byte[] key, byte[] value) {
    int body = 1 + key.length + 1 + value.length + 1;
    int len = body + Integer.toString(body).length();
    len = body + Integer.toString(len).length();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(Integer.toString(len).getBytes(StandardCharsets.US_ASCII));
    out.write(' ');
    out.writeBytes(key);
    out.write('=');
    out.writeBytes(value);
    out.write('\n');
    return out.toByteArray();
  }

  /** Adds {@code content} as an executable at {@code path} and names it the image's UML kernel. */
  public CraftedImage umlKernel(String path, byte[] content) {
    label("dev.appliance.kernels", "{\"umlKernel\":\"" + path + "\"}");
    return file(path.replaceFirst("^/+", ""), content, 0755);
  }

  private CraftedImage entry(
      String name, byte type, int mode, String link, byte[] content, Map<String, String> pax) {
    return entry(
        tar -> {
          TarArchiveEntry e = header(name, type, mode);
          if (link != null) {
            e.setLinkName(link);
          }
          pax.forEach(e::addPaxHeader);
          e.setSize(content.length);
          tar.putArchiveEntry(e);
          tar.write(content);
          tar.closeArchiveEntry();
        });
  }

  private static TarArchiveEntry header(String name, byte type, int mode) {
    TarArchiveEntry e = new TarArchiveEntry(name, type, true);
    e.setMode(mode);
    e.setModTime(MTIME);
    return e;
  }

  /**
   * Writes the OCI layout to {@code dir}/layout and copies it with skopeo to {@code registry} as
   * {@code nameAndTag} (e.g. {@code evil:1}).
   *
   * @return the reference to run, {@code 127.0.0.1:PORT/evil:1}
   */
  public String push(Path dir, LocalRegistry registry, String nameAndTag) {
    Path layout = writeLayout(dir.resolve("layout"));
    String reference = registry.address() + "/" + nameAndTag;
    run(
        dir,
        "skopeo",
        "copy",
        "--quiet",
        "--dest-tls-verify=false",
        "oci:" + layout,
        "docker://" + reference);
    return reference;
  }

  /** Writes this image as an OCI image layout at {@code layout}; returns it. */
  public Path writeLayout(Path layout) {
    try {
      Path blobs = Files.createDirectories(layout.resolve("blobs/sha256"));
      Files.writeString(layout.resolve("oci-layout"), "{\"imageLayoutVersion\":\"1.0.0\"}");
      ArrayNode layerDescriptors = JSON.createArrayNode();
      ArrayNode diffIds = JSON.createArrayNode();
      for (List<EntryWriter> layer : layers) {
        Path temp = blobs.resolve("layer.tmp");
        MessageDigest diff = sha256();
        MessageDigest blob = sha256();
        try (OutputStream file = new DigestOutputStream(Files.newOutputStream(temp), blob);
            OutputStream gzip = new GZIPOutputStream(file, 1 << 16);
            TarArchiveOutputStream tar =
                new TarArchiveOutputStream(new DigestOutputStream(gzip, diff))) {
          tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
          tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
          for (EntryWriter writer : layer) {
            writer.write(tar);
          }
        }
        String hex = HexFormat.of().formatHex(blob.digest());
        long size = Files.size(temp);
        Files.move(temp, blobs.resolve(hex));
        layerDescriptors.add(descriptor("application/vnd.oci.image.layer.v1.tar+gzip", hex, size));
        diffIds.add("sha256:" + HexFormat.of().formatHex(diff.digest()));
      }
      ObjectNode config = JSON.createObjectNode();
      config.put("architecture", "amd64");
      config.put("os", "linux");
      config.putObject("config").set("Labels", JSON.valueToTree(labels));
      ObjectNode rootfs = config.putObject("rootfs");
      rootfs.put("type", "layers");
      rootfs.set("diff_ids", diffIds);
      ObjectNode manifest = JSON.createObjectNode();
      manifest.put("schemaVersion", 2);
      manifest.put("mediaType", "application/vnd.oci.image.manifest.v1+json");
      manifest.set(
          "config",
          blob(blobs, "application/vnd.oci.image.config.v1+json", JSON.writeValueAsBytes(config)));
      manifest.set("layers", layerDescriptors);
      ObjectNode index = JSON.createObjectNode();
      index.put("schemaVersion", 2);
      index
          .putArray("manifests")
          .add(
              blob(
                  blobs,
                  "application/vnd.oci.image.manifest.v1+json",
                  JSON.writeValueAsBytes(manifest)));
      Files.write(layout.resolve("index.json"), JSON.writeValueAsBytes(index));
      return layout;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the crafted image at " + layout, e);
    }
  }

  private static ObjectNode blob(Path blobs, String mediaType, byte[] content) throws IOException {
    String hex = HexFormat.of().formatHex(sha256().digest(content));
    Files.write(blobs.resolve(hex), content);
    return descriptor(mediaType, hex, content.length);
  }

  private static ObjectNode descriptor(String mediaType, String hex, long size) {
    Map<String, Object> d = new LinkedHashMap<>();
    d.put("mediaType", mediaType);
    d.put("digest", "sha256:" + hex);
    d.put("size", size);
    return JSON.valueToTree(d);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static void run(Path dir, String... command) {
    try {
      Path log = dir.resolve("skopeo.log");
      Process process =
          new ProcessBuilder(command)
              .redirectErrorStream(true)
              .redirectOutput(log.toFile())
              .start();
      if (!process.waitFor(2, TimeUnit.MINUTES)) {
        process.destroyForcibly();
        throw new IllegalStateException(String.join(" ", command) + " timed out");
      }
      if (process.exitValue() != 0) {
        throw new IllegalStateException(
            String.join(" ", command) + " failed: " + Files.readString(log));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
