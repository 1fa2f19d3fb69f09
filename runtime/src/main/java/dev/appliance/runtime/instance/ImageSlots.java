package dev.appliance.runtime.instance;

import dev.appliance.common.ApplianceException;
import dev.appliance.common.FileTrees;
import dev.appliance.runtime.engine.EngineKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Optional;

/**
 * The images an instance can boot: the current one (instance.json, the config disk and the root
 * disk overlays in the instance directory), the previous one kept for {@code rollback} ({@code
 * previous/}), and while an upgrade runs, the one it replaces ({@code upgrading/}). Moves are
 * renames inside the instance directory.
 */
final class ImageSlots {
  private static final String PREVIOUS = "previous";
  private static final String UPGRADING = "upgrading";
  private static final String CONFIG_DISK = "config.img";

  private final InstanceDir dir;

  ImageSlots(InstanceDir dir) {
    this.dir = dir;
  }

  /** The spec of the previous image, if the instance was upgraded. */
  Optional<InstanceSpec> previous() {
    Path spec = dir.path().resolve(PREVIOUS).resolve("instance.json");
    return Files.exists(spec)
        ? Optional.of(new InstanceDir(spec.getParent()).spec())
        : Optional.empty();
  }

  /**
   * The spec of the image an upgrade set aside, when that upgrade never finished (its process was
   * killed): {@code rollback} then reverts it.
   */
  Optional<InstanceSpec> interruptedUpgrade() {
    Path spec = dir.path().resolve(UPGRADING).resolve("instance.json");
    return Files.exists(spec)
        ? Optional.of(new InstanceDir(spec.getParent()).spec())
        : Optional.empty();
  }

  /** Upgrade: the current image is set aside and {@code next} becomes current, on a fresh disk. */
  void stage(InstanceSpec next) {
    move(dir.path(), slot(UPGRADING));
    dir.writeSpec(next);
  }

  /** The upgrade succeeded: what it replaced becomes the previous image. */
  void commit() {
    FileTrees.delete(dir.path().resolve(PREVIOUS));
    rename(UPGRADING, PREVIOUS);
    pruneBaseDisks();
  }

  /**
   * The upgrade failed: its overlays and config disk are dropped and the image it replaced is
   * current again.
   */
  void revert() {
    for (Path overlay : overlays(dir.path())) {
      FileTrees.delete(overlay);
    }
    if (Files.exists(dir.path().resolve(UPGRADING).resolve(CONFIG_DISK))) {
      FileTrees.delete(dir.path().resolve(CONFIG_DISK));
    }
    move(dir.path().resolve(UPGRADING), dir.path());
    FileTrees.delete(dir.path().resolve(UPGRADING));
    pruneBaseDisks();
  }

  /** Rollback: the previous image becomes current and the current one previous. */
  void swap() {
    Path previousConfig = dir.path().resolve(PREVIOUS).resolve(CONFIG_DISK);
    if (!Files.exists(previousConfig)) {
      // Upgraded before each image had a config disk of its own: both used the current one.
      copy(dir.path().resolve(CONFIG_DISK), previousConfig);
    }
    Path swap = slot(".swap");
    move(dir.path(), swap);
    move(dir.path().resolve(PREVIOUS), dir.path());
    FileTrees.delete(dir.path().resolve(PREVIOUS));
    rename(".swap", PREVIOUS);
  }

  /** A hard link to the image's root disk, named by its digest, in the instance directory. */
  Path linkBaseDisk(String digest, Path baseDisk) {
    Path link =
        dir.path().resolve("base-" + digest.replaceFirst("^sha256:", "").substring(0, 16) + ".img");
    try {
      Files.deleteIfExists(link);
      Files.createLink(link, baseDisk);
      return link;
    } catch (IOException | UnsupportedOperationException e) {
      return baseDisk.toAbsolutePath(); // another filesystem: use the cached file itself
    }
  }

  private Path slot(String name) {
    Path slot = dir.path().resolve(name);
    FileTrees.delete(slot);
    try {
      return Files.createDirectory(slot);
    } catch (IOException e) {
      throw new ApplianceException("cannot create " + slot + ": " + e.getMessage(), e);
    }
  }

  /** Moves the spec and the overlays of the image in {@code from} to {@code to}. */
  private static void move(Path from, Path to) {
    try {
      for (Path file : files(from)) {
        Files.move(file, to.resolve(file.getFileName()), StandardCopyOption.ATOMIC_MOVE);
      }
    } catch (IOException e) {
      throw new ApplianceException("cannot move " + from + " to " + to + ": " + e.getMessage(), e);
    }
  }

  private void rename(String from, String to) {
    try {
      Files.move(dir.path().resolve(from), dir.path().resolve(to), StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new ApplianceException(
          "cannot rename " + from + " in " + dir.path() + ": " + e.getMessage(), e);
    }
  }

  private static List<Path> files(Path slot) {
    List<Path> files = new java.util.ArrayList<>(overlays(slot));
    for (String name : List.of(CONFIG_DISK, "instance.json")) {
      if (Files.exists(slot.resolve(name))) {
        files.add(slot.resolve(name));
      }
    }
    return files;
  }

  private static void copy(Path from, Path to) {
    try {
      Files.copy(from, to, StandardCopyOption.COPY_ATTRIBUTES);
    } catch (IOException e) {
      throw new ApplianceException("cannot copy " + from + " to " + to + ": " + e.getMessage(), e);
    }
  }

  private static List<Path> overlays(Path slot) {
    return java.util.Arrays.stream(EngineKind.DiskFormat.values())
        .map(f -> slot.resolve(f.fileName()))
        .filter(Files::exists)
        .toList();
  }

  /** Deletes the root disk links no slot's spec uses any more. */
  private void pruneBaseDisks() {
    List<String> used = new java.util.ArrayList<>(List.of(dir.spec().baseDisk()));
    previous().ifPresent(p -> used.add(p.baseDisk()));
    try (var entries = Files.list(dir.path())) {
      for (Path p : entries.toList()) {
        String name = p.getFileName().toString();
        if (name.startsWith("base-") && name.endsWith(".img") && !used.contains(p.toString())) {
          Files.deleteIfExists(p);
        }
      }
    } catch (IOException e) {
      throw new ApplianceException("cannot clean " + dir.path() + ": " + e.getMessage(), e);
    }
  }
}
