package dev.appliance.builder.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.HostCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuilderHostChecksTest {
  @TempDir Path dir;

  /**
   * The same reading of apt sources as the builder's, so doctor names the mirror a build would use.
   */
  @Test
  void mirrorIsTheOneABuildWouldUse() throws IOException {
    Path apt = Files.createDirectories(dir.resolve("etc/apt/sources.list.d"));
    Files.writeString(
        apt.resolve("debian.sources"),
        """
                Types: deb
                URIs: http://security.example/debian-security
                Suites: bookworm-security

                Types: deb
                URIs: http://mirror.example/debian
                Suites: bookworm
                """);
    HostCheck mirror = find(checks().run(), "builder.debian-mirror");
    assertTrue(mirror.ok(), mirror.detail());
    assertTrue(mirror.detail().startsWith("http://mirror.example/debian "), mirror.detail());
  }

  @Test
  void noSourcesIsAGapWithAFix() throws IOException {
    Files.createDirectories(dir.resolve("etc/apt"));
    HostCheck mirror = find(checks().run(), "builder.debian-mirror");
    assertFalse(mirror.ok());
    assertTrue(mirror.fix().contains("sources.list.d"), mirror.fix());
  }

  @Test
  void overlayfsIsReadFromTheKernelsList() throws IOException {
    Path with = Files.writeString(dir.resolve("with"), "nodev\tsysfs\nnodev\toverlay\n\text4\n");
    Path without = Files.writeString(dir.resolve("without"), "nodev\tsysfs\n\text4\n");
    assertTrue(find(new BuilderHostChecks(dir, with).run(), "builder.overlayfs").ok());
    HostCheck gap = find(new BuilderHostChecks(dir, without).run(), "builder.overlayfs");
    assertFalse(gap.ok());
    assertTrue(gap.fix().contains("modprobe overlay"), gap.fix());
  }

  /** The real host: every check answers, and every gap says how to close it. */
  @Test
  void everyCheckOnThisHostHasADetailAndEveryGapAFix() {
    List<HostCheck> checks = new BuilderHostChecks().run();
    List<String> expected =
        new java.util.ArrayList<>(
            List.of(
                "builder.mmdebstrap",
                "builder.privileges",
                "builder.overlayfs",
                "builder.debian-mirror",
                "builder.chroot",
                "builder.mount",
                "builder.umount",
                "builder.getfattr",
                "builder.dpkg-deb"));
    if (!dev.appliance.common.HostTools.isRoot()) {
      expected.addAll(List.of("builder.unshare", "builder.newuidmap", "builder.newgidmap"));
    }
    assertEquals(expected, checks.stream().map(HostCheck::name).toList());
    for (HostCheck check : checks.subList(4, checks.size())) {
      // A tool found is named by the full path builds will run, sbin included whatever PATH says.
      assertTrue(!check.ok() || check.detail().startsWith("/"), check.detail());
    }
    for (HostCheck check : checks) {
      assertFalse(check.detail().isBlank(), check.name());
      if (!check.ok()) {
        assertNotNull(check.fix(), check.name());
      }
    }
  }

  private BuilderHostChecks checks() {
    return new BuilderHostChecks(dir, Path.of("/proc/filesystems"));
  }

  private static HostCheck find(List<HostCheck> checks, String name) {
    return checks.stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
  }
}
