package dev.appliance.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.appliance.common.HostTools;
import dev.appliance.e2e.support.ApplianceCli;
import dev.appliance.e2e.support.BuildUser;
import dev.appliance.e2e.support.CliResult;
import dev.appliance.e2e.support.E2eEnvironment;
import dev.appliance.e2e.support.EndToEnd;
import dev.appliance.e2e.support.SharedFiles;
import dev.appliance.oci.Descriptor;
import dev.appliance.store.ImageStore;
import dev.appliance.store.StoredImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * `appliance build` without root (unshare mode): the CLI re-runs itself in a user namespace over
 * the user's /etc/subuid range. The image must be the one root builds, bit for bit, and belong to
 * the user. The suite runs as root (as .ci/run does) and creates an unprivileged build user for
 * this.
 */
@EndToEnd
@Tag("slow")
class RootlessBuildTest {
  private static final String USER = "appliance-rootless";
  private static final Duration BUILD = Duration.ofMinutes(10);

  /**
   * World-readable: the jar and the recipe must be readable by the build user wherever the clone
   * is.
   */
  private static SharedFiles shared;

  private static Path recipe;
  private static Path jar;

  @BeforeAll
  static void userAndFiles() throws IOException {
    assumeTrue(
        HostTools.isRoot(),
        "creates an unprivileged build user: run the suite as root, as .ci/run does");
    BuildUser.ensure(USER, "300000-365535");
    shared = SharedFiles.create("appliance-rootless-");
    recipe =
        shared
            .copy(
                E2eEnvironment.repository().resolve("tests/src/test/resources/recipes/rootless"),
                "recipe")
            .resolve("rootless.yaml");
    jar = shared.jar();
  }

  @AfterAll
  static void removeFiles() throws IOException {
    if (shared != null) {
      shared.close();
    }
  }

  @Test
  void withoutRootTheBuildGivesTheSameImageAsRootAndTheUserOwnsIt() throws IOException {
    ApplianceCli root = ApplianceCli.forTest("rootless-as-root");
    root.run(BUILD, "lock", recipe.toString()).assertSuccess();
    String rootDigest =
        root.run(BUILD, "build", recipe.toString()).assertSuccess().digestOf("rootless:1");

    Path userHome = Files.createDirectory(shared.dir().resolve("user-home"));
    BuildUser.exec(List.of("chown", USER + ":", userHome.toString()));
    ApplianceCli user = ApplianceCli.asUser("rootless-as-user", USER, jar, userHome);
    CliResult built = user.run(BUILD, "build", recipe.toString()).assertSuccess();
    assertEquals(
        rootDigest,
        built.digestOf("rootless:1"),
        "the rootless build differs from root's; its progress:\n" + built.stderr());

    CliResult images = user.run("images").assertSuccess();
    assertTrue(images.stdout().contains("rootless"), images.stdout());
    assertEquals(
        BuildUser.uidOf(USER),
        Files.getAttribute(userHome.resolve("data"), "unix:uid"),
        "the store belongs to the user");

    // What the equal digests are worth: root's image carries the setuid bit, the
    // system user's ownership and the run step's file capability.
    StoredImage image = ImageStore.open(root.dirs().store()).get("rootless:1");
    TarArchiveEntry getcap = entry(image, "files rootless", "usr/sbin/getcap");
    assertNotNull(
        getcap.getExtraPaxHeader("SCHILY.xattr.security.capability"),
        "the file capability set in the run step is in the layer");
    TarArchiveEntry motd = entry(image, "files rootless", "etc/app/motd");
    assertTrue(
        motd.getLongUserId() > 0 && motd.getLongUserId() < 1000,
        "owned by the system user app: " + motd.getLongUserId());
    TarArchiveEntry chsh = entry(image, "base debian-trixie", "usr/bin/chsh");
    assertEquals(04755, chsh.getMode() & 07777, "chsh keeps its setuid bit");
  }

  @Test
  void aUserWithoutSubordinateIdsIsToldHowToGetThem() {
    ApplianceCli nobody =
        ApplianceCli.asUser("rootless-nobody", "nobody", jar, shared.dir().resolve("nobody-home"));
    CliResult result = nobody.run("build", recipe.toString()).assertExit(1);
    assertTrue(
        result.stderr().contains("/etc/subuid")
            && result.stderr().contains("usermod --add-subuids"),
        result.stderr());
    assertFalse(Files.exists(shared.dir().resolve("nobody-home")), "nothing written");
  }

  private static TarArchiveEntry entry(StoredImage image, String layerName, String path)
      throws IOException {
    List<Descriptor> layers = image.manifest().layers();
    for (int i = 0; i < layers.size(); i++) {
      if (!layerName.equals(layers.get(i).annotations().get("dev.appliance.layer"))) {
        continue;
      }
      try (InputStream in = Files.newInputStream(image.layerFiles().get(i));
          TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(in))) {
        for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
          if (e.getName().equals(path)) {
            return e;
          }
        }
      }
      throw new AssertionError(path + " is not in layer " + layerName);
    }
    throw new AssertionError("no layer " + layerName + " in " + image.name());
  }
}
