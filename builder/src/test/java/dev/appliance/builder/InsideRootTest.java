package dev.appliance.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A run step can leave a symbolic link anywhere in the image; the host side of the build must never
 * follow one. "host" here is a directory beside the image that stands for the build host's files:
 * whatever the build does, it stays as it was.
 */
class InsideRootTest {
  @TempDir Path tmp;

  private Path image() throws IOException {
    Path root = Files.createDirectories(tmp.resolve("image"));
    for (String dir : List.of("proc", "tmp", "var/lib/dpkg", "usr/sbin", "boot")) {
      Files.createDirectories(root.resolve(dir));
    }
    return root;
  }

  private Path host() throws IOException {
    Path host = Files.createDirectories(tmp.resolve("host/etc"));
    Files.writeString(
        host.resolve("shadow"), "Package: host-secret\nVersion: 1\nStatus: install ok installed\n");
    return host.getParent();
  }

  @Test
  void aMountPointThatIsALinkOrBehindOneIsRefusedNamingIt() throws IOException {
    Path root = image();
    Path host = host();
    assertEquals(root.resolve("proc"), InsideRoot.mountPoint(root, "proc", false));

    Files.delete(root.resolve("tmp"));
    Files.createSymbolicLink(root.resolve("tmp"), Path.of("/"));
    InvalidInputException tmpLink =
        assertThrows(InvalidInputException.class, () -> InsideRoot.mountPoint(root, "tmp", false));
    assertTrue(
        tmpLink
            .getMessage()
            .startsWith("/tmp (a symbolic link to /) is where the build mounts /tmp"),
        tmpLink.getMessage());

    Files.createSymbolicLink(root.resolve("var/cache"), host);
    InvalidInputException behind =
        assertThrows(
            InvalidInputException.class,
            () -> InsideRoot.mountPoint(root, "var/cache/apt/archives", false));
    assertTrue(
        behind.getMessage().startsWith("/var/cache (a symbolic link to " + host + ")"),
        behind.getMessage());

    Files.writeString(root.resolve("run"), "not a directory");
    assertThrows(InvalidInputException.class, () -> InsideRoot.mountPoint(root, "run", false));
  }

  @Test
  void aLinkTargetWithControlCharactersIsShownEscaped() throws IOException {
    Path root = image();
    Files.delete(root.resolve("proc"));
    Files.createSymbolicLink(root.resolve("proc"), Path.of("/\n\u001b[2Jx"));
    String message =
        assertThrows(InvalidInputException.class, () -> InsideRoot.mountPoint(root, "proc", false))
            .getMessage();
    assertTrue(
        message.contains("/\\x0a\\x1b[2Jx") && message.chars().noneMatch(Character::isISOControl),
        message);
  }

  @Test
  void directoriesAreNeverCreatedThroughALink() throws IOException {
    Path root = image();
    Path host = host();
    assertEquals(
        root.resolve("var/lib/apt/lists"), InsideRoot.createDirectories(root, "var/lib/apt/lists"));
    assertTrue(Files.isDirectory(root.resolve("var/lib/apt/lists")));

    Files.createSymbolicLink(root.resolve("srv"), host);
    assertThrows(
        InvalidInputException.class, () -> InsideRoot.createDirectories(root, "srv/apt/lists"));
    assertFalse(Files.exists(host.resolve("apt")), "nothing created on the host");
  }

  @Test
  void filesAreReadWithoutFollowingALinkAnywhereOnTheWay() throws IOException {
    Path root = image();
    Path host = host();
    Files.writeString(root.resolve("var/lib/dpkg/status"), "Package: in-image\n");
    try (InputStream in = InsideRoot.open(root, "var/lib/dpkg/status")) {
      assertEquals("Package: in-image\n", new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }

    Files.delete(root.resolve("var/lib/dpkg/status"));
    Files.createSymbolicLink(root.resolve("var/lib/dpkg/status"), host.resolve("etc/shadow"));
    InvalidInputException last =
        assertThrows(InvalidInputException.class, () -> DpkgStatus.read(root));
    assertTrue(
        last.getMessage()
            .startsWith("/var/lib/dpkg/status (a symbolic link to " + host.resolve("etc/shadow")),
        last.getMessage());

    Path other = Files.createDirectories(tmp.resolve("other"));
    Files.move(root.resolve("var"), other.resolve("var"));
    Files.createSymbolicLink(root.resolve("var"), host);
    Files.createDirectories(host.resolve("lib/dpkg"));
    Files.copy(host.resolve("etc/shadow"), host.resolve("lib/dpkg/status"));
    InvalidInputException parent =
        assertThrows(InvalidInputException.class, () -> DpkgStatus.read(root));
    assertTrue(
        parent.getMessage().startsWith("/var (a symbolic link to " + host + ")"),
        parent.getMessage());
  }

  @Test
  void linksOnTheWayAreFoundAndTheLastComponentCountsOnlyWhenAsked() throws IOException {
    Path root = image();
    Files.createSymbolicLink(root.resolve("usr/sbin/policy-rc.d"), Path.of("/etc/shadow"));
    assertEquals(Optional.empty(), InsideRoot.linkOnTheWay(root, "usr/sbin/policy-rc.d", false));
    assertEquals(
        Optional.of(root.resolve("usr/sbin/policy-rc.d")),
        InsideRoot.throughDirectoriesOnly(root, "usr/sbin/policy-rc.d"));
    assertTrue(InsideRoot.linkOnTheWay(root, "usr/sbin/policy-rc.d", true).isPresent());
    assertEquals(Optional.empty(), InsideRoot.linkOnTheWay(root, "no/such/path", true));
  }

  @Test
  void kernelPathsResolveInsideTheImageOnly() throws IOException {
    Path root = image();
    Files.writeString(root.resolve("boot/vmlinuz-6.1"), "kernel");
    Files.createSymbolicLink(root.resolve("vmlinuz"), Path.of("boot/vmlinuz-6.1"));
    assertEquals("/boot/vmlinuz-6.1", KernelFiles.resolve(root, "/vmlinuz"));

    // A host directory with a kernel of its own: reachable only by following a link on the host.
    Path host = host();
    Files.writeString(host.resolve("vmlinuz-6.1"), "host kernel");
    Files.delete(root.resolve("boot/vmlinuz-6.1"));
    Files.delete(root.resolve("boot"));
    Files.createSymbolicLink(root.resolve("boot"), host);
    assertNull(
        KernelFiles.resolve(root, "/vmlinuz"),
        "the image has no such kernel, whatever the host has");

    Files.createSymbolicLink(root.resolve("loop"), Path.of("loop"));
    assertNull(KernelFiles.resolve(root, "/loop"));
  }

  @Test
  void umlModuleLinksAreNeverMadeOnTheHost() throws IOException {
    Path root = image();
    Path host = host();
    Files.createDirectories(root.resolve("usr/lib/uml/modules/7.2.7"));
    Files.createSymbolicLink(root.resolve("lib"), Path.of("usr/lib"));
    Files.createSymbolicLink(root.resolve("usr/lib/modules"), host);
    List<Path> before;
    try (var s = Files.list(host)) {
      before = s.sorted().toList();
    }

    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> KernelFiles.linkUmlModules(root));

    assertTrue(
        e.getMessage().startsWith("/usr/lib/modules (a symbolic link to " + host + ")"),
        e.getMessage());
    try (var s = Files.list(host)) {
      assertEquals(before, s.sorted().toList(), "nothing made in the host directory");
    }

    Files.delete(root.resolve("usr/lib/modules"));
    KernelFiles.linkUmlModules(root);
    assertEquals(
        Path.of("../uml/modules/7.2.7"),
        Files.readSymbolicLink(root.resolve("usr/lib/modules/7.2.7")));
  }
}
