package dev.appliance.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The decision and the repository without a mirror or root: real .debs made with dpkg-deb, the
 * mirror's index given as a map. apt reading the repository is tested end to end in {@link
 * LockedVersionsFromCacheTest}.
 */
class CachedDebRepositoryTest {
  @TempDir Path dir;

  private Path deb(String name, String version) throws IOException {
    Path tree = dir.resolve("pkg-" + name);
    Files.createDirectories(tree.resolve("DEBIAN"));
    Files.createDirectories(tree.resolve("usr/share/" + name));
    Files.writeString(tree.resolve("usr/share/" + name + "/data"), name + "\n");
    Files.writeString(
        tree.resolve("DEBIAN/control"),
        "Package: "
            + name
            + "\nVersion: "
            + version
            + "\nArchitecture: amd64\nMaintainer: test <test@example.invalid>\nDescription: test package\n multi-line\n");
    Path cache = Files.createDirectories(dir.resolve("debs"));
    Path deb = cache.resolve(DebCache.fileName(name, version, "amd64"));
    Processes.check(
        List.of("dpkg-deb", "--root-owner-group", "-b", tree.toString(), deb.toString()));
    return deb;
  }

  private static LockFile lock(LockFile.LockedPackage... packages) {
    return new LockFile(Map.of(), List.of(packages));
  }

  @Test
  void servesOnlyVersionsMissingFromTheMirrorWhoseCachedFileHasTheLockedHash() throws Exception {
    Path gone = deb("gone", "1:2.0-1");
    deb("present", "1.0-1");
    DebCache cache = new DebCache(dir.resolve("debs"));
    String sha = DebCache.sha256(gone);
    LockFile lock =
        lock(
            new LockFile.LockedPackage("gone", "1:2.0-1", "amd64", sha),
            new LockFile.LockedPackage("present", "1.0-1", "amd64", ""));

    CachedDebRepository repo =
        CachedDebRepository.prepare(
            Path.of("r.yaml.lock"),
            lock,
            "http://mirror.invalid",
            Map.of("gone", Set.of("1:2.0-2"), "present", Set.of("1.0-1")),
            cache,
            dir.resolve("repo"));

    assertEquals(List.of(lock.packages().get(0)), repo.served());
    assertEquals("gone 1:2.0-1", repo.describe());
    String index = Files.readString(repo.dir().resolve("Packages"));
    assertTrue(index.startsWith("Package: gone\nVersion: 1:2.0-1\nArchitecture: amd64\n"), index);
    assertTrue(index.contains("Description: test package\n multi-line\n"), index);
    assertTrue(
        index.endsWith(
            "Filename: ./gone_"
                + sha
                + ".deb\nSize: "
                + Files.size(gone)
                + "\nSHA256: "
                + sha
                + "\n\n"),
        index);
    assertEquals(sha, DebCache.sha256(repo.dir().resolve("gone_" + sha + ".deb")));
  }

  @Test
  void findsTheFileByItsHashLinkWhenAptsNameIsGone() throws Exception {
    Path gone = deb("gone", "2.0-1");
    DebCache cache = new DebCache(dir.resolve("debs"));
    cache.index();
    String sha = DebCache.sha256(gone);
    Files.delete(gone);
    LockFile lock = lock(new LockFile.LockedPackage("gone", "2.0-1", "amd64", sha));

    CachedDebRepository repo =
        CachedDebRepository.prepare(
            Path.of("r.yaml.lock"),
            lock,
            "http://mirror.invalid",
            Map.of(),
            cache,
            dir.resolve("repo"));

    assertFalse(repo.isEmpty());
    assertTrue(
        Files.isRegularFile(gone),
        "linked under apt's name again, so the build's lock records its SHA-256");
  }

  @Test
  void aVersionInNeitherPlaceIsNamedWithWhatTheMirrorHas() throws Exception {
    Path corrupt = deb("corrupt", "1.0-1");
    String sha = DebCache.sha256(corrupt);
    Files.writeString(corrupt, "not the locked file");
    DebCache cache = new DebCache(dir.resolve("debs"));
    LockFile lock =
        lock(
            new LockFile.LockedPackage("corrupt", "1.0-1", "amd64", sha),
            new LockFile.LockedPackage("absent", "3.0-1", "all", "a".repeat(64)),
            new LockFile.LockedPackage("unknown", "1.0", "amd64", ""));

    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () ->
                CachedDebRepository.prepare(
                    Path.of("recipes/r.yaml.lock"),
                    lock,
                    "http://mirror.invalid",
                    Map.of("corrupt", Set.of("1.0-2", "1.0-3"), "absent", Set.of("3.0-2")),
                    cache,
                    dir.resolve("repo")));

    assertTrue(
        e.getMessage()
            .startsWith(
                "recipes/r.yaml.lock: these pinned versions are neither on the mirror"
                    + " http://mirror.invalid nor in the .deb cache"),
        e.getMessage());
    assertTrue(
        e.getMessage().contains("run 'appliance lock recipes/r.yaml' to move to the mirror's"),
        e.getMessage());
    assertTrue(
        e.getMessage()
            .contains(
                "absent (locked 3.0-1, mirror has 3.0-2), corrupt (locked 1.0-1, mirror has"
                    + " 1.0-2, 1.0-3), unknown (locked 1.0, mirror has no such package, the lock has no SHA-256 to find it in the cache)"),
        e.getMessage());
    assertFalse(Files.exists(dir.resolve("repo")), "no repository for a failing build");
  }

  @Test
  void aLockEntryThatIsNoDebianNameIsRefused() throws Exception {
    Path file = dir.resolve("r.yaml.lock");
    Files.writeString(
        file,
        "suites:\n  trixie: 2026-11-21T09:15:44Z\npackages:\n"
            + "- name: ../../etc/x\n  version: 1.0\n  architecture: amd64\n  sha256: ''\n");
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> LockFile.read(file));
    assertTrue(e.getMessage().contains("../../etc/x"), e.getMessage());
  }
}
