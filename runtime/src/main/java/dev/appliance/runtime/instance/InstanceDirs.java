package dev.appliance.runtime.instance;

import dev.appliance.common.ApplianceDirs;
import dev.appliance.common.ApplianceException;
import dev.appliance.common.FileTrees;
import dev.appliance.common.InvalidInputException;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** Instance names and their directories under the state directory's {@code instances/}. */
final class InstanceDirs {
  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,62}");

  /**
   * Unix socket paths (sockaddr_un) hold 107 bytes; the longest we put in an instance dir adds ~25.
   */
  private static final int MAX_DIR_LENGTH = 80;

  private final Path root;

  InstanceDirs(ApplianceDirs dirs) {
    this.root = dirs.instances();
  }

  /** The directory of an instance that exists (its spec is written). */
  InstanceDir existing(String name) {
    validateName(name);
    Path dir = root.resolve(name);
    if (!Files.exists(dir.resolve("instance.json"))) {
      throw new InvalidInputException("no instance named " + name + " (see appliance ps)");
    }
    return new InstanceDir(dir);
  }

  /** Whether {@code name} is a valid name of an instance that exists. */
  boolean exists(String name) {
    return name != null
        && NAME.matcher(name).matches()
        && Files.exists(root.resolve(name).resolve("instance.json"));
  }

  /** Reserves a new instance's directory (0700); refuses a name that is taken. */
  InstanceDir create(String name) {
    Path dir = root.resolve(name).toAbsolutePath();
    if (dir.toString().length() > MAX_DIR_LENGTH) {
      throw new InvalidInputException(
          "instance directory "
              + dir
              + " is too long for Unix sockets (max "
              + MAX_DIR_LENGTH
              + " characters): use a shorter instance name or APPLIANCE_HOME");
    }
    try {
      Files.createDirectories(root);
      if (Files.isDirectory(dir)
          && !Files.exists(dir.resolve("instance.json"))
          && InstanceProcesses.find(dir).isEmpty()) {
        FileTrees.delete(dir); // left by a `run` killed while it resolved the image
      }
      // 0700: the control sockets (UML's mconsole, QMP) command the guest.
      Files.createDirectory(
          dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    } catch (FileAlreadyExistsException e) {
      throw new InvalidInputException(
          "an instance named "
              + name
              + " already exists: remove it (appliance rm "
              + name
              + ") or choose another name");
    } catch (IOException e) {
      throw new ApplianceException("cannot create " + dir + ": " + e.getMessage(), e);
    }
    return new InstanceDir(dir);
  }

  /** The directories of the instances that exist (their spec is written), in name order. */
  List<InstanceDir> all() {
    if (!Files.isDirectory(root)) {
      return List.of();
    }
    try (Stream<Path> entries = Files.list(root)) {
      return entries
          .filter(p -> Files.exists(p.resolve("instance.json")))
          .sorted(Comparator.comparing(Path::getFileName))
          .map(InstanceDir::new)
          .toList();
    } catch (IOException e) {
      throw new ApplianceException("cannot list " + root + ": " + e.getMessage(), e);
    }
  }

  static void validateName(String name) {
    if (!NAME.matcher(name).matches()) {
      throw new InvalidInputException(
          "instance name '"
              + name
              + "': use lower-case letters, digits, '.', '_'"
              + " and '-', starting with a letter or digit");
    }
  }

  /**
   * From the image reference's repository: {@code registry/ops/lamp:1.0.0} gives {@code lamp-3f2a}.
   */
  static String generatedName(String reference) {
    String imageName =
        reference.replaceFirst("[@].*$", "").replaceFirst(":[^:/]*$", "").replaceFirst("^.*/", "");
    String base = imageName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_.-]", "-");
    base = base.isEmpty() || !Character.isLetterOrDigit(base.charAt(0)) ? "appliance" : base;
    byte[] random = new byte[2];
    ThreadLocalRandom.current().nextBytes(random);
    return base.substring(0, Math.min(base.length(), 40)) + "-" + HexFormat.of().formatHex(random);
  }
}
