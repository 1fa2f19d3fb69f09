package dev.appliance.runtime.instance;

import dev.appliance.common.ApplianceException;
import dev.appliance.common.FileTrees;
import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.MetadataRules;
import dev.appliance.runtime.disk.HostTool;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The small ext4 disk, labelled {@value #LABEL}, through which first-boot parameters, secrets,
 * volumes and network settings reach the guest: never through the image, the kernel command line or
 * a process's arguments. The guest side is recipes/base/files/appliance-firstboot;
 * docs/operations.md documents the layout. Files are 0600 while staged, the disk itself 0600.
 */
public final class ConfigDisk {
  static final String LABEL = "appliance-cfg";

  /** The DNS proxy of the user-mode network (slirp). */
  static final String RESOLV_CONF = "nameserver 10.0.2.3\n";

  private ConfigDisk() {}

  /**
   * Kernel argument telling the guest's appliance-firstboot that a config disk is attached, so it
   * waits for it; without it (an exported disk booted elsewhere) the guest does not spend boot time
   * looking for one. Not secret.
   */
  static final String KERNEL_FLAG = "appliance.config=disk";

  static String announce(String kernelCmdline) {
    return (kernelCmdline + " " + KERNEL_FLAG).strip();
  }

  static void write(
      Path disk,
      String hostname,
      Map<String, String> params,
      Map<String, byte[]> secrets,
      List<InstanceSpec.VolumeMount> volumes) {
    StringBuilder lines = new StringBuilder();
    volumes.forEach(v -> lines.append(v.uuid()).append(' ').append(v.guestPath()).append('\n'));
    Map<String, byte[]> topLevel = new LinkedHashMap<>();
    topLevel.put("hostname", (hostname + "\n").getBytes(StandardCharsets.UTF_8));
    topLevel.put("resolv.conf", RESOLV_CONF.getBytes(StandardCharsets.UTF_8));
    topLevel.put("volumes", lines.toString().getBytes(StandardCharsets.UTF_8));
    writeDisk(disk, topLevel, params, secrets);
  }

  /** What a config disk passes to the guest besides its host settings. */
  record Contents(Map<String, String> params, Map<String, byte[]> secrets) {
    Contents {
      params = Map.copyOf(params);
      secrets = Map.copyOf(secrets);
    }
  }

  /**
   * Reads back the parameters and secrets of a config disk written by {@link #write} (an upgrade
   * gives them to the next image): debugfs lists and dumps them, without a mount or root. The
   * values pass through a private (0700) directory beside the disk, deleted afterwards.
   *
   * @throws ApplianceException when debugfs cannot read the disk or a name on it is not a parameter
   *     name
   */
  static Contents read(Path disk) {
    Path staging = disk.toAbsolutePath().resolveSibling(".config-reading");
    try {
      FileTrees.delete(staging);
      Files.createDirectory(
          staging,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      List<String> params = regularFiles(disk, "params", staging);
      List<String> secrets = regularFiles(disk, "secrets", staging);
      StringBuilder script = new StringBuilder();
      // Checked names ([a-z][a-z0-9_]*): nothing in a debugfs line to quote; relative targets.
      params.forEach(n -> script.append("dump /params/").append(n).append(" p-" + n + "\n"));
      secrets.forEach(n -> script.append("dump /secrets/").append(n).append(" s-" + n + "\n"));
      Path commands = Files.writeString(staging.resolve("dump.debugfs"), script);
      HostTool.Result dumped =
          HostTool.runAllowingFailure(
              List.of("debugfs", "-f", commands.toString(), disk.toAbsolutePath().toString()),
              staging,
              Map.of());
      String errors = dumped.debugfsErrors();
      if (dumped.exitCode() != 0 || !errors.isEmpty()) {
        throw new ApplianceException("cannot read the config disk " + disk + ": " + errors);
      }
      Map<String, String> paramValues = new LinkedHashMap<>();
      for (String n : params) {
        paramValues.put(n, Files.readString(staging.resolve("p-" + n), StandardCharsets.UTF_8));
      }
      Map<String, byte[]> secretValues = new LinkedHashMap<>();
      for (String n : secrets) {
        secretValues.put(n, Files.readAllBytes(staging.resolve("s-" + n)));
      }
      return new Contents(paramValues, secretValues);
    } catch (IOException e) {
      throw new ApplianceException(
          "cannot read the config disk " + disk + ": " + e.getMessage(), e);
    } finally {
      FileTrees.delete(staging);
    }
  }

  /** The names of the regular files in {@code /dir} of the disk ({@code ls -p} lines). */
  private static List<String> regularFiles(Path disk, String dir, Path workDir) {
    HostTool.Result listed =
        HostTool.runAllowingFailure(
            List.of("debugfs", "-R", "ls -p /" + dir, disk.toAbsolutePath().toString()),
            workDir,
            Map.of());
    String errors = listed.debugfsErrors();
    if (listed.exitCode() != 0 || !errors.isEmpty()) {
      throw new ApplianceException(
          "cannot list /" + dir + " on the config disk " + disk + ": " + errors);
    }
    List<String> names = new ArrayList<>();
    // "/INODE/MODE/UID/GID/NAME/SIZE/": a regular file's mode starts with 100.
    for (String line : listed.stdout().split("\n")) {
      String[] f = line.split("/", -1);
      if (f.length == 8 && f[2].startsWith("100")) {
        try {
          names.add(parameterName(f[5]));
        } catch (InvalidInputException e) {
          throw new ApplianceException("the config disk " + disk + " holds " + e.getMessage());
        }
      }
    }
    return names;
  }

  /**
   * A config disk for an exported appliance booted elsewhere: parameters and secrets only (its
   * hypervisor brings its own network and host name).
   */
  public static void writeForExport(
      Path disk, Map<String, String> params, Map<String, byte[]> secrets) {
    writeDisk(disk, Map.of(), params, secrets);
  }

  private static void writeDisk(
      Path disk,
      Map<String, byte[]> topLevel,
      Map<String, String> params,
      Map<String, byte[]> secrets) {
    Path staging = disk.resolveSibling(".config-staging");
    try {
      FileTrees.delete(staging);
      Files.createDirectory(
          staging,
          PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
      for (Map.Entry<String, byte[]> f : topLevel.entrySet()) {
        writePrivate(staging, f.getKey(), f.getValue());
      }
      Path paramDir = Files.createDirectory(staging.resolve("params"));
      for (Map.Entry<String, String> p : params.entrySet()) {
        writePrivate(
            paramDir, parameterName(p.getKey()), p.getValue().getBytes(StandardCharsets.UTF_8));
      }
      Path secretDir = Files.createDirectory(staging.resolve("secrets"));
      for (Map.Entry<String, byte[]> s : secrets.entrySet()) {
        writePrivate(secretDir, parameterName(s.getKey()), s.getValue());
      }
      Files.deleteIfExists(disk);
      Files.createFile(
          disk, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
      HostTool.run(
          List.of(
              "mke2fs",
              "-q",
              "-F",
              "-t",
              "ext4",
              "-L",
              LABEL,
              "-E",
              "root_owner=0:0",
              "-d",
              staging.toAbsolutePath().toString(),
              disk.toAbsolutePath().toString(),
              sizeMiB(params, secrets) + "M"),
          disk.toAbsolutePath().getParent(),
          HostTool.Options.SHORT);
    } catch (IOException e) {
      throw new ApplianceException(
          "cannot write the config disk " + disk + ": " + e.getMessage(), e);
    } finally {
      FileTrees.delete(staging);
    }
  }

  /**
   * 8 MiB holds the usual few small files; a large value (a rules file given with --param-file)
   * gets twice its size on top, for ext4's metadata and journal.
   */
  static long sizeMiB(Map<String, String> params, Map<String, byte[]> secrets) {
    long bytes = 0;
    for (String value : params.values()) {
      bytes += value.getBytes(StandardCharsets.UTF_8).length;
    }
    for (byte[] value : secrets.values()) {
      bytes += value.length;
    }
    return 8 + ((2 * bytes) >> 20);
  }

  /**
   * Parameter names become file names: they come from the image's labels or the command line, so
   * they must pass the recipe's rule (no '/', no '.', no '..').
   */
  static String parameterName(String name) {
    if (!MetadataRules.PARAM_NAME.accepts(name)) {
      throw new InvalidInputException(
          "parameter "
              + MetadataRules.quote(name)
              + ": not "
              + MetadataRules.PARAM_NAME.expected());
    }
    return name;
  }

  /**
   * Creates {@code name} directly in {@code dir}: a name that would resolve anywhere else is
   * refused, and the file is created new without following a link, so nothing outside the staging
   * directory can be written through it.
   */
  private static void writePrivate(Path dir, String name, byte[] content) throws IOException {
    Path file = dir.resolve(name);
    if (!file.getParent().equals(dir) || !file.normalize().equals(file)) {
      throw new InvalidInputException(
          "config disk file " + MetadataRules.quote(name) + " would leave " + dir);
    }
    try (SeekableByteChannel out =
        Files.newByteChannel(
            file,
            Set.of(
                StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS),
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))) {
      ByteBuffer buffer = ByteBuffer.wrap(content);
      while (buffer.hasRemaining()) {
        out.write(buffer);
      }
    }
  }
}
