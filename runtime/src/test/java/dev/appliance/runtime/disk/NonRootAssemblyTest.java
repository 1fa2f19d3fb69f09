package dev.appliance.runtime.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Assembly as an ordinary user (uid 65534 via setpriv when the test runs as root) gives the same
 * owners, modes, devices, links and xattrs as assembly as root.
 */
class NonRootAssemblyTest {
  private static final List<String> PATHS =
      List.of(
          "/",
          "/usr/bin/su",
          "/usr/bin/su-link",
          "/etc/gshadow-",
          "/home/alice",
          "/home/alice/notes",
          "/bin",
          "/etc/localtime",
          "/dev/null",
          "/dev/vda",
          "/dev/initctl",
          "/usr/bin/ping",
          "/usr/bin/gnu-ping");

  @TempDir Path tmp;

  @Test
  void nonRootAssemblyMatchesRootAssembly() throws Exception {
    try (Unprivileged user = new Unprivileged()) {
      Path layer = DiskAssemblerTest.fidelityLayer().writeTo(user.dir().resolve("layer.tar.gz"));
      Path cache = user.writableDir("cache");
      HostTool.Result run =
          user.runJava(
              AssembleMain.class,
              cache.toString(),
              "sha256:0123",
              Long.toString(DiskAssemblerTest.SIZE),
              layer.toString());
      assertEquals(0, run.exitCode(), run.stderr());
      Path userDisk = Path.of(run.stdout().strip().split("\t")[0]);
      assertNotEquals(0, Unprivileged.owner(userDisk), "built by an unprivileged user");

      Debugfs built = new Debugfs(userDisk);
      assertEquals(0, built.fsck().exitCode(), built.fsck().stdout());
      DiskAssemblerTest.assertFidelity(built);

      Debugfs reference =
          new Debugfs(
              new DiskAssembler(tmp.resolve("cache"))
                  .assemble(
                      new ImageLayers("test:1", "sha256:0123", List.of(layer)),
                      DiskAssemblerTest.SIZE));
      for (String path : PATHS) {
        assertEquals(comparable(reference.stat(path)), comparable(built.stat(path)), path);
      }
    }
  }

  /**
   * The stat without what differs between any two builds (inode numbers, times of change,
   * checksums).
   */
  private static String comparable(Debugfs.Stat stat) {
    return stat.raw()
            .lines()
            .filter(
                l ->
                    !l.startsWith("Inode:")
                        && !l.contains("ctime:")
                        && !l.contains("atime:")
                        && !l.contains("crtime:")
                        && !l.startsWith("Inode checksum")
                        && !l.startsWith("(")
                        && !l.startsWith("EXTENTS")
                        && !l.startsWith("Generation"))
            .reduce("", (a, b) -> a + b + "\n")
        + stat.type()
        + stat.mode()
        + stat.uid()
        + stat.gid()
        + stat.links();
  }
}
