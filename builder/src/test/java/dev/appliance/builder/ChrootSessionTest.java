package dev.appliance.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.appliance.common.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The mounts of a build step, for real (root): a mount point a run step replaced with a link to a
 * host directory is refused before anything is mounted, and /dev holds only the device nodes a
 * build needs. The mounts happen in the test's own mount namespace and are removed after each test.
 */
class ChrootSessionTest {
  @TempDir Path tmp;

  private Path root;

  @BeforeAll
  static void needsRoot() {
    assumeTrue("root".equals(System.getProperty("user.name")), "mounting needs root");
  }

  @AfterEach
  void unmount() {
    if (root != null) {
      Mounts.unmountAllUnder(root);
    }
  }

  private Path image() throws IOException {
    root = Files.createDirectories(tmp.resolve("image"));
    for (String dir :
        List.of(
            "proc",
            "sys",
            "dev",
            "tmp",
            "run",
            "etc",
            "usr/sbin",
            "var/lib/apt",
            "var/cache/apt")) {
      Files.createDirectories(root.resolve(dir));
    }
    return root;
  }

  private BuildEnvironment env() {
    return new BuildEnvironment(
        "http://mirror.invalid/debian",
        List.of(),
        0,
        tmp.resolve("debs"),
        tmp.resolve("lists"),
        line -> {},
        false);
  }

  @Test
  void aMountPointThatIsALinkToAHostDirectoryIsRefusedAndNothingIsMounted() throws IOException {
    Path image = image();
    Path host = Files.createDirectories(tmp.resolve("host"));
    Files.writeString(host.resolve("precious"), "keep");
    Files.delete(image.resolve("tmp"));
    Files.createSymbolicLink(image.resolve("tmp"), host);
    List<String> before = mountPoints();

    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> new ChrootSession(image, env()));

    assertTrue(
        e.getMessage()
            .startsWith("/tmp (a symbolic link to " + host + ") is where the build mounts /tmp"),
        e.getMessage());
    assertEquals(before, mountPoints(), "what was mounted before the refusal is gone again");
    assertEquals(List.of(host.resolve("precious")), list(host), "the host directory is untouched");
    assertFalse(Files.exists(image.resolve("usr/sbin/policy-rc.d")));
  }

  @Test
  void devHoldsOnlyTheNodesABuildNeeds() throws Exception {
    Path image = image();
    try (ChrootSession ignored = new ChrootSession(image, env())) {
      Path dev = image.resolve("dev");
      Set<String> names = new TreeSet<>();
      try (Stream<Path> s = Files.list(dev)) {
        s.forEach(p -> names.add(p.getFileName().toString()));
      }
      assertEquals(
          new TreeSet<>(
              List.of(
                  "fd", "full", "null", "ptmx", "pts", "random", "shm", "stderr", "stdin", "stdout",
                  "tty", "urandom", "zero")),
          names,
          "no disk, kvm, mem or host terminal");
      Files.writeString(dev.resolve("null"), "discarded");
      assertEquals("", Files.readString(dev.resolve("null")));
      assertEquals(8, Files.newInputStream(dev.resolve("urandom")).readNBytes(8).length);
      assertEquals(
          "c", LayerWriterTest.sh("stat -c %F " + dev.resolve("pts/ptmx")).substring(0, 1));
      assertEquals(
          List.of(),
          list(dev.resolve("pts")).stream().filter(p -> !p.endsWith("ptmx")).toList(),
          "a private devpts: no host terminal");
    }
    assertTrue(
        mountPoints().stream().noneMatch(p -> p.startsWith(image.toString())), "all unmounted");
  }

  private static List<Path> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.sorted().toList();
    }
  }

  private static List<String> mountPoints() throws IOException {
    List<String> points = new ArrayList<>();
    for (String line : Files.readAllLines(Path.of("/proc/self/mountinfo"))) {
      points.add(line.split(" ")[4]);
    }
    return points;
  }
}
