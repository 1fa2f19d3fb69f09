package dev.appliance.runtime.instance;

import dev.appliance.common.ApplianceDirs;
import dev.appliance.common.ApplianceException;
import dev.appliance.common.FileLocks;
import dev.appliance.common.FileTrees;
import dev.appliance.runtime.disk.HostTool;
import dev.appliance.store.Durable;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Named persistent disks under the data directory ({@code volumes/NAME/}): an ext4 file (sparse)
 * and its filesystem UUID, by which the guest mounts it. A volume outlives the instances that use
 * it, so a new image version can reuse the data of the old one.
 */
public final class VolumeStore {
  /** Sparse: only what the guest writes takes host space. */
  static final String DEFAULT_SIZE = "16G";

  private final Path root;

  public VolumeStore(ApplianceDirs dirs) {
    this.root = dirs.data().resolve("volumes");
  }

  /** The names of the volumes on disk, sorted. */
  List<String> names() {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(root)) {
      // Skips the lock file and the .new-* directories of creations in progress.
      return entries
          .filter(Files::isDirectory)
          .map(p -> p.getFileName().toString())
          .filter(VolumeMount::isName)
          .sorted()
          .toList();
    } catch (IOException e) {
      throw new ApplianceException("cannot list " + root + ": " + e.getMessage(), e);
    }
  }

  public boolean exists(String name) {
    return VolumeMount.isName(name) && Files.isDirectory(root.resolve(name));
  }

  /** Name, disk, host space taken (the disk is sparse), apparent size. */
  VolumeInfo describe(String name, List<String> instances) {
    Path dir = root.resolve(name);
    String du =
        HostTool.run(
                List.of("du", "-s", "-B1", dir.toAbsolutePath().toString()),
                root,
                HostTool.Options.SHORT)
            .stdout();
    try {
      return new VolumeInfo(
          name, disk(name), Long.parseLong(du.split("\\s+")[0]), Files.size(disk(name)), instances);
    } catch (IOException | NumberFormatException e) {
      throw new ApplianceException(
          "cannot read volume " + name + " in " + root + ": " + e.getMessage(), e);
    }
  }

  void delete(String name) {
    if (!exists(name)) {
      throw new IllegalArgumentException("no volume " + name); // callers check first
    }
    FileTrees.delete(root.resolve(name));
  }

  /**
   * Held while volumes are attached to a new instance (until its spec names them) and while volumes
   * are removed, so a removal never takes a volume an instance being created is about to use.
   * Between processes and between threads: {@link FileLocks}.
   */
  Lock lock() {
    return FileLocks.exclusive(root.resolve(".lock"))::close;
  }

  /** A held {@link #lock()}. */
  interface Lock extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * What the volume's last backup stored for each chunk content ({@code ChunkIndex}): a cache,
   * deleted with the volume.
   */
  public Path backupIndex(String name) {
    return root.resolve(name).resolve("backup-index");
  }

  /**
   * The highest data version an image ran with on this volume until healthy (see {@link
   * dev.appliance.oci.DataFormat}); 0 when none was recorded.
   */
  int dataVersion(String name) {
    Path file = root.resolve(name).resolve("data-version");
    try {
      if (!Files.exists(file)) {
        return 0;
      }
      String first = Files.readString(file, StandardCharsets.UTF_8).strip().split("\\s+")[0];
      return Integer.parseInt(first);
    } catch (IOException | NumberFormatException e) {
      throw new ApplianceException(
          "cannot read the data version of volume " + name + " in " + file + ": " + e.getMessage(),
          e);
    }
  }

  /** Records {@code version} as the volume's data version, written by {@code image}. */
  void recordDataVersion(String name, int version, String image) {
    Path file = root.resolve(name).resolve("data-version");
    Path temp = file.resolveSibling("data-version." + ProcessHandle.current().pid() + ".tmp");
    try {
      Files.writeString(temp, version + " " + image + "\n", StandardCharsets.UTF_8);
      Files.move(
          temp,
          file,
          java.nio.file.StandardCopyOption.ATOMIC_MOVE,
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new ApplianceException(
          "cannot record the data version of volume " + name + ": " + e.getMessage(), e);
    }
  }

  /** The image that last recorded the volume's data version, or null. */
  String dataVersionWriter(String name) {
    Path file = root.resolve(name).resolve("data-version");
    try {
      String[] parts =
          Files.exists(file)
              ? Files.readString(file, StandardCharsets.UTF_8).strip().split("\\s+", 2)
              : new String[0];
      return parts.length == 2 ? parts[1] : null;
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * Copies volume {@code from} (disk, UUID, data version) to {@code to}, replacing it: a reflink
   * where the filesystem can, else a sparse copy. Consistent only while no guest has {@code from}
   * mounted. {@code to} may be a hidden name (a snapshot in progress), never listed.
   */
  void copy(String from, String to) {
    Path source = root.resolve(from);
    Path target = root.resolve(to);
    try {
      Path temp = Files.createTempDirectory(root, ".copy-" + to);
      try {
        HostTool.run(
            List.of(
                "cp",
                "--reflink=auto",
                "--sparse=always",
                "--preserve=mode",
                "--",
                disk(from).toAbsolutePath().toString(),
                temp.resolve("disk.ext4").toAbsolutePath().toString()),
            root,
            HostTool.Options.SHORT.withTimeout(java.time.Duration.ofHours(1)));
        for (String file : List.of("uuid", "data-version")) {
          if (Files.exists(source.resolve(file))) {
            Files.copy(source.resolve(file), temp.resolve(file));
          }
        }
        FileTrees.delete(target);
        Files.move(temp, target, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      } catch (RuntimeException | IOException e) {
        FileTrees.delete(temp);
        throw e;
      }
    } catch (IOException e) {
      throw new ApplianceException(
          "cannot copy volume " + from + " to " + to + ": " + e.getMessage(), e);
    }
  }

  /** Renames {@code from} to {@code to}, replacing it (both in this store: an atomic rename). */
  void replace(String from, String to) {
    try {
      Path aside = root.resolve(".old-" + to);
      FileTrees.delete(aside);
      if (Files.exists(root.resolve(to))) {
        Files.move(root.resolve(to), aside, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      }
      Files.move(
          root.resolve(from), root.resolve(to), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      FileTrees.delete(aside);
    } catch (IOException e) {
      throw new ApplianceException(
          "cannot move volume " + from + " to " + to + ": " + e.getMessage(), e);
    }
  }

  /** Deletes a volume or a hidden copy, if it exists. */
  void discard(String name) {
    FileTrees.delete(root.resolve(name));
  }

  /** The volume's disk file. */
  public Path disk(String name) {
    return root.resolve(name).resolve("disk.ext4");
  }

  /** The filesystem UUID of an existing volume. */
  public String uuid(String name) {
    try {
      return Files.readString(root.resolve(name).resolve("uuid"), StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new ApplianceException("cannot read volume " + name + ": " + e.getMessage(), e);
    }
  }

  /**
   * A new, empty directory beside the volumes (a {@code .new-} name {@link #names()} skips) where a
   * restore writes {@code disk.ext4} before {@link #install} moves it in.
   */
  public Path stage(String name) {
    try {
      Files.createDirectories(root);
      return Files.createTempDirectory(root, ".new-" + name);
    } catch (IOException e) {
      throw new ApplianceException(
          "cannot create a directory in " + root + ": " + e.getMessage(), e);
    }
  }

  /**
   * Makes the staged {@code disk.ext4} volume {@code name} with filesystem {@code uuid}: a rename
   * of the whole directory for a new volume; for an existing one ({@code replace}), a rename of the
   * disk over the old one, so the volume is at every moment the old disk or the new one.
   */
  void install(Path staged, String name, String uuid, boolean replace) throws IOException {
    // Flushed before the renames that publish them: after a power loss the volume is whole.
    Durable.write(
        staged.resolve(".uuid.tmp"),
        staged.resolve("uuid"),
        (uuid + "\n").getBytes(StandardCharsets.UTF_8));
    Path dir = root.resolve(name);
    if (!replace) {
      Files.move(staged, dir, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      Durable.syncDirectory(root);
      return;
    }
    Durable.publish(staged.resolve("disk.ext4"), disk(name));
    Durable.publish(staged.resolve("uuid"), dir.resolve("uuid"));
    FileTrees.delete(staged);
  }

  /** The volume's filesystem UUID, creating the volume first when it does not exist. */
  String ensure(String name) {
    return ensure(name, DEFAULT_SIZE);
  }

  /**
   * The volume's filesystem UUID, creating it first, {@code size} large (mke2fs syntax, e.g. 16G),
   * when it does not exist.
   */
  public String ensure(String name, String size) {
    if (!size.matches("[1-9][0-9]{0,5}[KMGT]")) {
      throw new IllegalArgumentException("volume size " + size); // callers pass constants
    }
    Path dir = root.resolve(name);
    Path uuidFile = dir.resolve("uuid");
    try {
      if (Files.exists(uuidFile)) {
        return Files.readString(uuidFile, StandardCharsets.UTF_8).strip();
      }
      Files.createDirectories(root);
      Path temp = Files.createTempDirectory(root, ".new-" + name);
      String uuid = UUID.randomUUID().toString();
      HostTool.run(
          List.of(
              "mke2fs",
              "-q",
              "-F",
              "-t",
              "ext4",
              "-U",
              uuid,
              "-L",
              name.length() > 16 ? name.substring(0, 16) : name,
              "-E",
              "root_owner=0:0",
              temp.resolve("disk.ext4").toAbsolutePath().toString(),
              size),
          temp,
          HostTool.Options.SHORT);
      Files.writeString(temp.resolve("uuid"), uuid + "\n", StandardCharsets.UTF_8);
      try {
        Files.move(temp, dir, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
      } catch (IOException raced) {
        FileTrees.delete(temp); // another run created it first: use theirs
      }
      return Files.readString(uuidFile, StandardCharsets.UTF_8).strip();
    } catch (IOException e) {
      throw new ApplianceException(
          "cannot create volume " + name + " in " + root + ": " + e.getMessage(), e);
    }
  }
}
