package dev.appliance.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.appliance.common.HostTools;
import dev.appliance.common.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RootfsCleanerTest {
  @TempDir Path root;

  @Test
  void stateDirsAreEmptiedButKeepTheirMode() throws IOException {
    Path data = Files.createDirectories(root.resolve("var/lib/db"));
    Files.createDirectories(data.resolve("mysql"));
    Files.writeString(data.resolve("mysql/user.frm"), "x");
    Files.writeString(data.resolve("ibdata1"), "x");
    Files.createSymbolicLink(data.resolve("link"), Path.of("/etc"));
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwx--x---"));

    RootfsCleaner.emptyStateDirs(root, List.of("/var/lib/db", "/var/lib/not-there-yet"));

    assertEquals(List.of(), RootfsSteps.list(data));
    assertEquals("rwx--x---", PosixFilePermissions.toString(Files.getPosixFilePermissions(data)));
  }

  @Test
  void aStateDirReachedThroughASymbolicLinkIsRefused(@TempDir Path host) throws IOException {
    // /var/lib/db -> an absolute path: resolved outside a chroot it would lead onto the host.
    Path hostFile = Files.writeString(host.resolve("precious"), "keep");
    Files.createDirectories(root.resolve("var/lib"));
    Files.createSymbolicLink(root.resolve("var/lib/db"), host);

    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () -> RootfsCleaner.emptyStateDirs(root, List.of("/var/lib/db/inner")));

    assertTrue(e.getMessage().contains("/var/lib/db"), e.getMessage());
    assertTrue(Files.exists(hostFile), "a file outside the image was deleted");
  }

  @Test
  void aStateDirThatIsAFileIsRefused() throws IOException {
    Files.createDirectories(root.resolve("var/lib"));
    Files.writeString(root.resolve("var/lib/db"), "x");

    assertThrows(
        InvalidInputException.class,
        () -> RootfsCleaner.emptyStateDirs(root, List.of("/var/lib/db")));
  }

  @Test
  void theCleanUpNeverDeletesThroughALinkARunStepLeft(@TempDir Path host) throws IOException {
    // A run step made /var/log, /var/cache and /usr links to host directories holding the
    // very names the clean-up removes; the host's files stay, the image's own are removed.
    for (String f :
        List.of(
            "dpkg.log", "apt/history.log", "apt/eipp.log.xz", "lib/python3/x/__pycache__/m.pyc")) {
      Files.createDirectories(host.resolve(f).getParent());
      Files.writeString(host.resolve(f), "host");
    }
    Files.createDirectories(root.resolve("var/lib/dpkg"));
    Files.writeString(root.resolve("var/lib/dpkg/status-old"), "image");
    Files.createSymbolicLink(root.resolve("var/log"), host);
    Files.createSymbolicLink(root.resolve("var/cache"), host);
    Files.createSymbolicLink(root.resolve("usr"), host);

    RootfsCleaner.clean(root);

    for (String f :
        List.of(
            "dpkg.log", "apt/history.log", "apt/eipp.log.xz", "lib/python3/x/__pycache__/m.pyc")) {
      assertTrue(Files.exists(host.resolve(f)), f + " on the host was deleted");
    }
    assertTrue(
        Files.notExists(root.resolve("var/lib/dpkg/status-old")),
        "the image's own clean-up still happens");
  }

  @Test
  void aptPartialDirsBelongToTheImagesAptUserWhateverTheBuildLeft(@TempDir Path host)
      throws IOException {
    assumeTrue(HostTools.isRoot(), "setting owners needs root");
    Files.createDirectories(root.resolve("etc"));
    Files.writeString(
        root.resolve("etc/passwd"),
        "root:x:0:0:root:/root:/bin/bash\n_apt:x:42:65534::/nonexistent:/usr/sbin/nologin\n");
    // As a build whose apt ran unsandboxed leaves them: lists/partial root's and 0755,
    // archives/partial missing.
    Path lists = Files.createDirectories(root.resolve("var/lib/apt/lists/partial"));
    Files.setPosixFilePermissions(lists, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.writeString(lists.resolve("mirror.example_dists_trixie_InRelease"), "half");
    Files.createDirectories(root.resolve("var/cache/apt/archives"));

    RootfsCleaner.clean(root);

    for (String partial : AptPartialDirs.PATHS) {
      Path dir = root.resolve(partial);
      assertEquals(
          "rwx------", PosixFilePermissions.toString(Files.getPosixFilePermissions(dir)), partial);
      assertEquals(42, Files.getAttribute(dir, "unix:uid"), partial);
      assertEquals(0, Files.getAttribute(dir, "unix:gid"), partial);
      assertEquals(List.of(), RootfsSteps.list(dir), partial);
    }
    // Already right: untouched (an overlay's merged view would otherwise copy it up into the next
    // layer).
    Object ctime = Files.getAttribute(lists, "unix:ctime");
    RootfsCleaner.clean(root);
    assertEquals(ctime, Files.getAttribute(lists, "unix:ctime"));

    // No _apt in the image: root's, as apt then runs its downloads as root.
    Files.writeString(root.resolve("etc/passwd"), "root:x:0:0:root:/root:/bin/bash\n");
    RootfsCleaner.clean(root);
    assertEquals(0, Files.getAttribute(lists, "unix:uid"));
  }

  @Test
  void anAptPartialDirThatIsALinkIsLeftAlone(@TempDir Path host) throws IOException {
    assumeTrue(HostTools.isRoot(), "setting owners needs root");
    Files.createDirectories(root.resolve("etc"));
    Files.writeString(
        root.resolve("etc/passwd"), "_apt:x:42:65534::/nonexistent:/usr/sbin/nologin\n");
    Files.createDirectories(root.resolve("var/lib/apt/lists"));
    Files.createSymbolicLink(root.resolve("var/lib/apt/lists/partial"), host);
    Files.setPosixFilePermissions(host, PosixFilePermissions.fromString("rwxr-xr-x"));

    RootfsCleaner.clean(root);

    assertEquals(0, Files.getAttribute(host, "unix:uid"), "a host directory changed owner");
    assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(host)));
  }
}
