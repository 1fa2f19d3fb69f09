package dev.appliance.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The builder's small parts, without mmdebstrap. */
class UnitsTest {
  @TempDir Path tmp;

  @Test
  void lockFileRoundTripsAndPinsEveryVersion() {
    LockFile lock =
        new LockFile(
            Map.of("trixie", Instant.parse("2026-11-21T09:15:44Z")),
            List.of(
                new LockFile.LockedPackage("zlib1g", "1:1.3.dfsg-1", "amd64", "ab".repeat(32)),
                new LockFile.LockedPackage("apt", "3.0.4", "amd64", "cd".repeat(32))));
    Path file = tmp.resolve("x.yaml.lock");
    lock.write(file);
    assertEquals(lock, LockFile.read(file));
    assertEquals("apt", LockFile.read(file).packages().get(0).name(), "sorted by name");
    assertTrue(
        lock.aptPreferences()
            .contains("Package: zlib1g\nPin: version 1:1.3.dfsg-1\nPin-Priority: 1001\n"));
    assertEquals(tmp.resolve("lamp.yaml.lock"), LockFile.pathFor(tmp.resolve("lamp.yaml")));
  }

  @Test
  void aDamagedLockFileIsInvalidInput() throws Exception {
    Path file = Files.writeString(tmp.resolve("bad.lock"), "packages: 3\n");
    assertThrows(InvalidInputException.class, () -> LockFile.read(file));
  }

  @Test
  void dpkgStatusListsInstalledPackagesOnly() {
    List<DpkgStatus.Installed> installed =
        DpkgStatus.parse(
            """
                Package: libfoo1
                Status: install ok installed
                Architecture: amd64
                Source: foo (1.2-1)
                Version: 1.2-1+b1

                Package: gone
                Status: deinstall ok config-files
                Version: 1
                Architecture: all
                """);
    assertEquals(
        List.of(new DpkgStatus.Installed("libfoo1", "1.2-1+b1", "amd64", "foo", "1.2-1")),
        installed);
    assertEquals(
        "pkg:deb/debian/libfoo1@1.2-1%2Bb1?arch=amd64&upstream=foo&distro=trixie",
        Sbom.purl(installed.get(0), "trixie"));
  }

  @Test
  void closeMatchesPreferSmallEdits() {
    assertEquals(
        List.of("hello"),
        DebianMirror.closeMatches(
            "helo", List.of("hello", "apache2", "hello-traditional", "shellcheck")));
    assertEquals(
        "apache2", DebianMirror.closeMatches("apache", List.of("apache2", "nginx")).get(0));
  }

  @Test
  void kernelLinksAreResolvedInsideTheImage() throws Exception {
    Path root = tmp.resolve("root");
    Files.createDirectories(root.resolve("boot"));
    Files.createDirectories(root.resolve("usr/lib/uml/modules/7.2.7"));
    Files.createSymbolicLink(root.resolve("lib"), Path.of("usr/lib"));
    Files.writeString(root.resolve("boot/vmlinuz-6.12.1-cloud-amd64"), "k");
    Files.createSymbolicLink(root.resolve("vmlinuz"), Path.of("boot/vmlinuz-6.12.1-cloud-amd64"));
    Files.createSymbolicLink(root.resolve("escape"), Path.of("/etc/passwd"));
    assertEquals("/boot/vmlinuz-6.12.1-cloud-amd64", KernelFiles.resolve(root, "/vmlinuz"));
    assertNull(
        KernelFiles.resolve(root, "/escape"),
        "absolute links resolve inside the image, not on the host");
    Files.delete(root.resolve("escape"));
    KernelFiles.linkUmlModules(root);
    assertEquals(
        Path.of("../uml/modules/7.2.7"),
        Files.readSymbolicLink(root.resolve("usr/lib/modules/7.2.7")));
    assertTrue(
        Files.isDirectory(root.resolve("lib/modules/7.2.7")), "the guest finds /lib/modules/7.2.7");
  }

  @Test
  void xattrDumpIsParsedWithEscapedNames() {
    Xattrs x =
        Xattrs.parse(
            ("# file: /r/usr/bin/pi\\040ng\nsecurity.capability=0x0100000200200000\n"
                    + "trusted.overlay.opaque=\"y\"\n\n")
                .getBytes());
    assertEquals(8, x.of(Path.of("/r/usr/bin/pi ng")).get("security.capability").length);
    assertEquals("y", new String(x.of(Path.of("/r/usr/bin/pi ng")).get("trusted.overlay.opaque")));
  }

  @Test
  void gitReferencesAreRecognisedAndParsed() {
    assertTrue(GitSource.isGitReference("https://git.example/a.git#recipes/lamp.yaml"));
    assertTrue(GitSource.isGitReference("file:///srv/repo#x.yaml"));
    assertFalse(GitSource.isGitReference("recipes/lamp/lamp.yaml"));
    assertEquals(
        new GitSource("https://git.example/a.git", "recipes/lamp.yaml", "v1"),
        GitSource.parse("https://git.example/a.git#recipes/lamp.yaml@v1"));
    assertThrows(
        InvalidInputException.class,
        () -> GitSource.parse("https://git.example/a.git#../../etc/passwd"));
  }

  @Test
  void provenanceNamesCommitDirtinessAndRemoteWithoutCredentials() throws Exception {
    Path repo = Files.createDirectories(tmp.resolve("repo"));
    String commit;
    try (Git git = Git.init().setDirectory(repo.toFile()).call()) {
      Files.writeString(repo.resolve("r.yaml"), "name: x\n");
      git.add().addFilepattern("r.yaml").call();
      commit =
          git.commit()
              .setMessage("m")
              .setAuthor("t", "t@example")
              .setCommitter("t", "t@example")
              .setSign(false)
              .call()
              .name();
      var config = git.getRepository().getConfig();
      config.setString("remote", "origin", "url", "https://user:token@git.example/ops/r.git");
      config.save();
    }
    Provenance clean = Provenance.of(repo.resolve("r.yaml"), null);
    assertEquals(commit, clean.revision());
    assertFalse(clean.dirty());
    assertEquals("https://git.example/ops/r.git", clean.source());
    Files.writeString(repo.resolve("r.yaml"), "name: y\n");
    assertTrue(Provenance.of(repo.resolve("r.yaml"), null).dirty());
    Path outside =
        Files.createDirectories(Path.of("/var/tmp"))
            .resolve("no-repo-" + System.nanoTime() + ".yaml");
    assertTrue(
        Provenance.of(outside, null).annotations().isEmpty(), "no repository, no provenance");
  }

  @Test
  void anUnreachableMirrorIsAClearError() {
    var e =
        assertThrows(
            dev.appliance.common.ApplianceException.class,
            () -> new DebianMirror("http://127.0.0.1:9/debian").releaseDate("trixie"));
    assertTrue(
        e.getMessage().contains("mirror http://127.0.0.1:9/debian")
            && e.getMessage().contains("unreachable"),
        e.getMessage());
  }
}
