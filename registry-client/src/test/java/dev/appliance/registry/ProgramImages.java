package dev.appliance.registry;

import dev.appliance.oci.ApplianceMetadata;
import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageConfig;
import dev.appliance.oci.Manifest;
import dev.appliance.oci.MediaTypes;
import dev.appliance.store.ImageStore;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * One-layer appliance images made of host files, for tests that need an image whose UML kernel is a
 * program of their own (a probe compiled by the test, with the host's loader and C library standing
 * in for the image's).
 */
public final class ProgramImages {
  private ProgramImages() {}

  /**
   * Stores and tags an image whose only layer holds {@code files} (path in the image, without
   * leading slash, to host file; all executable) and whose UML kernel is {@code umlKernel}; no
   * health check, 64 MiB of memory and disk.
   */
  public static Manifest umlKernelImage(
      ImageStore store, String tag, Map<String, Path> files, String umlKernel) throws IOException {
    Path layer = store.tempFile();
    try {
      writeLayer(layer, files);
      Digest digest = sha256(layer);
      Descriptor layerDescriptor = store.putBlobFile(layer, MediaTypes.OCI_LAYER_TAR, digest);
      ApplianceMetadata meta =
          new ApplianceMetadata(
              tag.split(":")[0],
              "1",
              List.of(),
              null,
              64,
              1,
              64L << 20,
              new ApplianceMetadata.Kernels(null, null, umlKernel),
              "",
              List.of());
      ImageConfig config =
          ImageConfig.create(
              Instant.parse("2026-01-01T00:00:00Z"),
              meta.toLabels(),
              List.of(digest),
              List.of(new ImageConfig.History("ProgramImages", "a test's own UML kernel")));
      Manifest manifest = Manifest.create(config.descriptor(), List.of(layerDescriptor), Map.of());
      store.tag(tag, store.putImage(config, manifest));
      return manifest;
    } finally {
      Files.deleteIfExists(layer);
    }
  }

  /**
   * Compiles one C file with the host's gcc (dynamically linked, like Debian's linux.uml), each
   * define given as {@code -DNAME=VALUE}.
   */
  public static Path compile(Path source, Path out, Map<String, String> defines)
      throws IOException, InterruptedException {
    List<String> command = new java.util.ArrayList<>(List.of("gcc", "-O1", "-o", out.toString()));
    new TreeMap<>(defines).forEach((name, value) -> command.add("-D" + name + "=" + value));
    command.add(source.toString());
    Process gcc = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output =
        new String(gcc.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    if (gcc.waitFor() != 0) {
      throw new IOException("gcc failed: " + output);
    }
    return out;
  }

  /**
   * {@code program} at {@code path} in the image, with the host's loader and C library as the
   * image's own.
   */
  public static Map<String, Path> withHostLibc(String path, Path program) throws IOException {
    return Map.of(
        path,
        program,
        "lib64/ld-linux-x86-64.so.2",
        Path.of("/lib64/ld-linux-x86-64.so.2").toRealPath(),
        "usr/lib/x86_64-linux-gnu/libc.so.6",
        Path.of("/usr/lib/x86_64-linux-gnu/libc.so.6").toRealPath());
  }

  private static void writeLayer(Path layer, Map<String, Path> files) throws IOException {
    TreeSet<String> dirs = new TreeSet<>();
    for (String name : files.keySet()) {
      for (int slash = name.indexOf('/'); slash > 0; slash = name.indexOf('/', slash + 1)) {
        dirs.add(name.substring(0, slash + 1));
      }
    }
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(Files.newOutputStream(layer))) {
      for (String dir : dirs) {
        TarArchiveEntry e = new TarArchiveEntry(dir);
        e.setMode(040755);
        tar.putArchiveEntry(e);
        tar.closeArchiveEntry();
      }
      for (Map.Entry<String, Path> f : new TreeMap<>(files).entrySet()) {
        TarArchiveEntry e = new TarArchiveEntry(f.getKey());
        e.setMode(0100755);
        e.setSize(Files.size(f.getValue()));
        tar.putArchiveEntry(e);
        Files.copy(f.getValue(), tar);
        tar.closeArchiveEntry();
      }
    }
  }

  private static Digest sha256(Path file) throws IOException {
    MessageDigest sha = Digest.newSha256();
    try (DigestInputStream in = new DigestInputStream(Files.newInputStream(file), sha)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return Digest.fromSha256(sha.digest());
  }
}
