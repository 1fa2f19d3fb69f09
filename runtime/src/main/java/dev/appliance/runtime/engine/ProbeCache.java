package dev.appliance.runtime.engine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Optional;

/**
 * Verdicts of host probes kept between commands, so that a second {@code run} starts its engine
 * without running them again. Each verdict is stored with the SHA-256 of the key it depends on (the
 * host's boot id, a program's {@link #fileIdentity}, sysctl values): under another key it is stale
 * and the probe runs again. One small file per probe, {@code NAME.probe}, replaced atomically; an
 * unreadable one counts as absent.
 *
 * @param dir where the files live (created on the first {@link #put})
 */
public record ProbeCache(Path dir) {
  private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");

  /** The host probes' cache of a state directory ({@code $XDG_STATE_HOME/appliance}). */
  public static ProbeCache inState(Path stateDir) {
    return new ProbeCache(stateDir.resolve("probes"));
  }

  /** The verdict of {@code probe} made under {@code key}, if there is one. */
  public Optional<String> get(String probe, String key) {
    try {
      String[] stored = Files.readString(file(probe), StandardCharsets.UTF_8).split("\n", 2);
      return stored.length == 2 && stored[0].equals(hash(key))
          ? Optional.of(stored[1])
          : Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** Keeps {@code verdict}; a failure to write it only means the next run probes again. */
  public void put(String probe, String key, String verdict) {
    try {
      Files.createDirectories(dir);
      Path temp = Files.createTempFile(dir, probe, ".tmp");
      Files.writeString(temp, hash(key) + "\n" + verdict, StandardCharsets.UTF_8);
      Files.move(
          temp, file(probe), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      // not cached
    }
  }

  /**
   * What changes when a program is replaced or rewritten: its path, size, modification time and
   * inode. Hashing the file itself would cost more than most probes.
   */
  public static String fileIdentity(Path file) {
    try {
      BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
      return file.toRealPath()
          + " "
          + a.size()
          + " "
          + a.lastModifiedTime().toInstant()
          + " "
          + a.fileKey();
    } catch (IOException e) {
      return file + " unreadable";
    }
  }

  /** The kernel's boot id: changes at every boot of the host. */
  public static String bootId() {
    return readOr(BOOT_ID, "unknown boot");
  }

  /** The file's content, or {@code absent} when it cannot be read (a sysctl this kernel lacks). */
  static String readOr(Path file, String absent) {
    try {
      return Files.readString(file).strip();
    } catch (IOException e) {
      return absent;
    }
  }

  private Path file(String probe) {
    return dir.resolve(probe + ".probe");
  }

  private static String hash(String key) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
