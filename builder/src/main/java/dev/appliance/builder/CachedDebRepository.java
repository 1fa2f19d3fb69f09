package dev.appliance.builder;

import dev.appliance.common.ApplianceException;
import dev.appliance.common.InvalidInputException;
import dev.appliance.recipe.Recipe;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Locked versions the mirror no longer has, served from the .deb cache: a flat apt repository (the
 * .debs and a {@code Packages} index) that a step mounts read-only at {@link #MOUNT_POINT} and adds
 * as an extra apt source while apt runs. The mount point lies on a /tmp that is emptied before a
 * layer is written, and the source entry and apt's lists of it never reach the image, so a layer
 * installed this way equals one whose packages came from the mirror.
 */
final class CachedDebRepository {
  /** Where the repository appears inside the root file system while a step runs. */
  static final String MOUNT_POINT = "/tmp/appliance-cached-debs";

  /** The apt source list file name used while mmdebstrap runs. */
  static final String LIST_NAME = "appliance-cached-debs.list";

  private final Path dir;
  private final List<LockFile.LockedPackage> served;

  private CachedDebRepository(Path dir, List<LockFile.LockedPackage> served) {
    this.dir = dir;
    this.served = List.copyOf(served);
  }

  /** No lock file, or every locked version is on the mirror. */
  static CachedDebRepository none() {
    return new CachedDebRepository(null, List.of());
  }

  /**
   * Asks the mirror's package indexes which locked versions it has (the base suite with the
   * recipe's components, other suites with main, as the build's apt sources do) and prepares the
   * repository for the rest in {@code dir}.
   *
   * @throws InvalidInputException naming every locked version in neither the mirror nor the cache,
   *     and the command that refreshes the lock
   */
  static CachedDebRepository forLock(
      Path lockPath,
      LockFile lock,
      DebianMirror mirror,
      Recipe.Base base,
      List<String> suites,
      DebCache debs,
      Path dir) {
    // The suites' indexes (trixie's and sid's: 2.9 s one after the other) download and parse at
    // the same time, keeping only the locked names.
    Set<String> locked =
        lock.packages().stream().map(LockFile.LockedPackage::name).collect(Collectors.toSet());
    List<Map<String, Set<String>>> perSuite =
        suites.parallelStream()
            .map(
                suite ->
                    mirror.packageVersions(
                        suite,
                        suite.equals(base.suite()) ? base.components() : List.of("main"),
                        locked::contains))
            .toList();
    Map<String, Set<String>> versions = new HashMap<>();
    perSuite.forEach(
        suiteVersions ->
            suiteVersions.forEach(
                (name, v) -> versions.computeIfAbsent(name, k -> new TreeSet<>()).addAll(v)));
    return prepare(lockPath, lock, mirror.uri(), versions, debs, dir);
  }

  /** The core of {@link #forLock}, given the mirror's versions of each package name. */
  static CachedDebRepository prepare(
      Path lockPath,
      LockFile lock,
      String mirrorUri,
      Map<String, Set<String>> mirrorVersions,
      DebCache debs,
      Path dir) {
    List<LockFile.LockedPackage> fromCache = new ArrayList<>();
    List<Path> files = new ArrayList<>();
    List<String> unavailable = new ArrayList<>();
    for (LockFile.LockedPackage p : lock.packages()) {
      Set<String> available = mirrorVersions.getOrDefault(p.name(), Set.of());
      if (available.contains(p.version())) {
        continue;
      }
      Optional<Path> cached = debs.withSha256(p);
      if (cached.isPresent()) {
        fromCache.add(p);
        files.add(cached.get());
      } else {
        unavailable.add(
            p.name()
                + " (locked "
                + p.version()
                + ", mirror has "
                + (available.isEmpty()
                    ? "no such package"
                    : String.join(", ", new TreeSet<>(available)))
                + (!p.hasSha256() ? ", the lock has no SHA-256 to find it in the cache" : "")
                + ")");
      }
    }
    if (!unavailable.isEmpty()) {
      // The lock file is the user's input and no longer matches the mirror: exit code 2.
      throw new InvalidInputException(
          lockPath
              + ": these pinned versions are neither on the mirror "
              + mirrorUri
              + " nor in the .deb cache (with the locked SHA-256): "
              + String.join(", ", unavailable)
              + "; run 'appliance lock "
              + recipeOf(lockPath)
              + "' to move to the mirror's versions",
          BuildRemedy.SNAPSHOT_MIRROR);
    }
    if (fromCache.isEmpty()) {
      return none();
    }
    writeRepository(dir, fromCache, files);
    return new CachedDebRepository(dir, fromCache);
  }

  /** The recipe a lock file belongs to: {@code lamp.yaml.lock} locks {@code lamp.yaml}. */
  private static Path recipeOf(Path lockPath) {
    String name = lockPath.getFileName().toString();
    return name.endsWith(".lock")
        ? lockPath.resolveSibling(name.substring(0, name.length() - ".lock".length()))
        : lockPath;
  }

  private static void writeRepository(
      Path dir, List<LockFile.LockedPackage> packages, List<Path> files) {
    StringBuilder index = new StringBuilder();
    try {
      Files.createDirectories(dir);
      for (int i = 0; i < packages.size(); i++) {
        LockFile.LockedPackage p = packages.get(i);
        // Named by hash: no epoch colon or other character apt would have to unquote in a file:
        // URI.
        String name = p.name() + "_" + p.sha256() + ".deb";
        Path target = dir.resolve(name);
        link(files.get(i), target);
        index
            .append(controlFields(target))
            .append("Filename: ./")
            .append(name)
            .append('\n')
            .append("Size: ")
            .append(Files.size(target))
            .append('\n')
            .append("SHA256: ")
            .append(p.sha256())
            .append("\n\n");
      }
      Files.writeString(dir.resolve("Packages"), index.toString(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A hard link where possible (the cache and the build directory share a file system), else a
   * copy.
   */
  private static void link(Path source, Path target) throws IOException {
    try {
      Files.createLink(target, source);
    } catch (IOException | UnsupportedOperationException e) {
      Files.copy(source, target);
    }
  }

  /**
   * The package's control paragraph, as dpkg-deb reads it (whatever the control member's
   * compression).
   */
  private static String controlFields(Path deb) {
    Processes.Result result =
        Processes.run(
            List.of("dpkg-deb", "--field", deb.toString()), Map.of(), null, l -> {}, true);
    String fields = result.stdoutText().strip();
    if (result.exitCode() != 0 || !fields.startsWith("Package:")) {
      throw new ApplianceException(
          "cannot read the control fields of " + deb + ": " + result.tail());
    }
    return fields + "\n";
  }

  boolean isEmpty() {
    return served.isEmpty();
  }

  /** The repository directory on the host; null when empty. */
  Path dir() {
    return dir;
  }

  List<LockFile.LockedPackage> served() {
    return served;
  }

  /** "name version, ..." of the packages served, for the build's progress output. */
  String describe() {
    return served.stream().map(p -> p.name() + " " + p.version()).collect(Collectors.joining(", "));
  }

  /** The apt source line for the repository as apt sees it at {@code path}. */
  static String sourceLine(String path) {
    return "deb [trusted=yes] file:" + path + " ./";
  }
}
