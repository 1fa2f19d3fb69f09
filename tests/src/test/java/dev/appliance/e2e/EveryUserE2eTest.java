package dev.appliance.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.appliance.common.HostTools;
import dev.appliance.e2e.support.ApplianceCli;
import dev.appliance.e2e.support.BuildUser;
import dev.appliance.e2e.support.CliResult;
import dev.appliance.e2e.support.E2eEnvironment;
import dev.appliance.e2e.support.EndToEnd;
import dev.appliance.e2e.support.Http;
import dev.appliance.e2e.support.LocalRegistry;
import dev.appliance.e2e.support.SharedFiles;
import dev.appliance.store.ImageStore;
import dev.appliance.store.StoredImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The CLI as a new account uses it (issue #20): an account made with {@code useradd --create-home},
 * commands from its login shell ({@code su - USER}: default XDG directories, Debian's user PATH
 * without /usr/sbin, no locale), the jar started as {@code java -jar} like the README's "Install
 * elsewhere". It locks, builds (rootless), runs, pushes, pulls and exports an appliance extending
 * the repository's base. Then root builds the same locked recipe under {@code env -i} with only
 * PATH and HOME (no locale), and once with LANG=C.UTF-8: all three images must be the same, and
 * ca-certificates' non-ASCII names must be intact.
 */
@EndToEnd
@Tag("slow")
class EveryUserE2eTest {
  private static final String USER = "appliance-everyuser";
  private static final String IMAGE = "tiny-web:0.1.0";
  private static final Duration BUILD = Duration.ofMinutes(20);
  private static final Duration BOOT = Duration.ofMinutes(5);

  /** What ca-certificates ships and links, as Debian names it (UTF-8). */
  private static final String CERT =
      "usr/share/ca-certificates/mozilla/NetLock_Arany_=Class_Gold=_Főtanúsítvány.crt";

  private static final String CERT_LINK =
      "etc/ssl/certs/NetLock_Arany_=Class_Gold=_Főtanúsítvány.pem";

  private static SharedFiles shared;
  private static Path recipe;
  private static Path home;
  private static ApplianceCli user;

  @BeforeAll
  static void newAccount() throws IOException {
    assumeTrue(HostTools.isRoot(), "creates an account: run the suite as root, as .ci/run does");
    BuildUser.ensure(USER, "400000-465535");
    home = BuildUser.homeOf(USER);
    removeUserData();
    shared = SharedFiles.create("appliance-everyuser-");
    shared.copy(E2eEnvironment.repository().resolve("recipes/base"), "recipes/base");
    Path dir =
        shared.copy(
            E2eEnvironment.repository().resolve("tests/src/test/resources/recipes/tiny-web"),
            "recipes/tiny-web");
    recipe = dir.resolve("tiny-web.yaml");
    Files.writeString(
        recipe, Files.readString(recipe).replace("../../../../../../recipes/base/", "../base/"));
    // lock writes tiny-web.yaml.lock beside the recipe: the user's own directory.
    BuildUser.exec(List.of("chown", "-R", USER + ":", dir.toString()));
    user = ApplianceCli.loginShell("everyuser", USER, shared.jar(), home);
  }

  @AfterAll
  static void cleanUp() throws IOException {
    if (user != null) {
      user.run("rm", "-f", "every");
    }
    if (shared != null) {
      shared.close();
      removeUserData();
    }
  }

  @Test
  void aNewAccountBuildsRunsShipsAndExportsAndEveryEnvironmentBuildsTheSameImage()
      throws Exception {
    CliResult path = user.run("doctor");
    assertTrue(
        path.stdout().contains("/usr/sbin/chroot"),
        "doctor names the chroot it will run, found outside the user's PATH:\n" + path.stdout());

    user.run(BUILD, "lock", recipe.toString()).assertSuccess();
    CliResult built = user.run(BUILD, "build", recipe.toString()).assertSuccess();
    String digest = built.digestOf(IMAGE);
    assertTrue(
        Files.isDirectory(user.xdgDirs().store()),
        "the image is in the user's own XDG data directory");
    assertEquals(BuildUser.uidOf(USER), Files.getAttribute(user.xdgDirs().store(), "unix:uid"));
    assertNames(user.xdgDirs().store(), "the user's rootless build");

    // Root's two builds of the same locked recipe, each from empty caches, run beside the rest of
    // the account's tour (which mostly waits on its guest and the registry): a CI run's second
    // core does their work instead of idling (issue 18).
    ApplianceCli noLocale =
        ApplianceCli.cleanEnvironment(
            "everyuser-root-env-i", rootHome("root-env-i"), shared.jar(), Map.of());
    ApplianceCli withLocale =
        ApplianceCli.cleanEnvironment(
            "everyuser-root-utf8", rootHome("root-utf8"), shared.jar(), Map.of("LANG", "C.UTF-8"));
    try (ApplianceCli.Background bareBuild = noLocale.start("build", recipe.toString());
        ApplianceCli.Background utf8Build = withLocale.start("build", recipe.toString())) {
      tourAsTheAccount(digest);

      String bareDigest = bareBuild.waitFor(BUILD).assertSuccess().digestOf(IMAGE);
      assertNames(noLocale.xdgDirs().store(), "root's build under env -i");
      String utf8Digest = utf8Build.waitFor(BUILD).assertSuccess().digestOf(IMAGE);
      assertEquals(
          utf8Digest,
          bareDigest,
          "root's build under env -i (no locale) differs from LANG=C.UTF-8's");
      assertEquals(utf8Digest, digest, "the new account's rootless build differs from root's");
    }
  }

  /** The account runs, tours, pushes, pulls and exports the image it built ({@code digest}). */
  private static void tourAsTheAccount(String digest) throws Exception {
    CliResult run =
        user.run(BOOT, "run", "-d", "--name", "every", "-p", "80", IMAGE).assertSuccess();
    String url = run.stdoutLines().get(0);
    assertTrue(url.startsWith("http://127.0.0.1:"), run.stdout());
    assertEquals("hi", Http.get(url + "greeting"), "the appliance serves its first-boot parameter");
    readmeTour();
    user.run("rm", "-f", "every").assertSuccess();

    String remote;
    try (LocalRegistry registry = LocalRegistry.builder(shared.dir().resolve("registry")).start()) {
      remote = registry.address() + "/every/tiny-web:0.1.0";
      assertEquals(digest, user.run(BUILD, "push", IMAGE, remote).assertSuccess().stdout().strip());
      user.run("rmi", IMAGE).assertSuccess();
      assertEquals(digest, user.run(BUILD, "pull", remote).assertSuccess().stdout().strip());
      user.run("gc").assertSuccess();
    }

    Path exports = Files.createDirectory(shared.dir().resolve("exports"));
    BuildUser.exec(List.of("chown", USER + ":", exports.toString()));
    // The pulled image, by the name pull stored it under (the registry is gone: export needs no
    // network).
    CliResult exported =
        user.run(BUILD, "export", remote, "--format", "qcow2", "-o", exports.toString())
            .assertSuccess();
    try (var files = Files.list(exports)) {
      List<Path> qcow2 = files.filter(f -> f.toString().endsWith(".qcow2")).toList();
      assertEquals(1, qcow2.size(), exported.stderr());
      BuildUser.exec(List.of("qemu-img", "check", "-q", qcow2.get(0).toString()));
    }
  }

  /**
   * The README's tour, beyond build/run/push/pull/export, as the new account: from its login shell,
   * and the read-only commands again under {@code env -i} with only PATH=/usr/bin:/bin and HOME
   * (its cron jobs).
   */
  private static void readmeTour() throws Exception {
    user.run("validate", recipe.toString()).assertSuccess();
    assertTrue(
        user.run("images").assertSuccess().stdout().contains("tiny-web"),
        "images lists the user's build");
    assertTrue(
        user.run("inspect", IMAGE).assertSuccess().stdout().contains("tiny-web"),
        "inspect shows the image");
    user.run("diff", IMAGE, IMAGE).assertSuccess();
    assertTrue(user.run("ps").assertSuccess().stdout().contains("every"), "ps lists the instance");
    assertFalse(
        user.run("logs", "every").assertSuccess().stdout().isBlank(), "logs shows the console");
    user.run(BOOT, "stop", "every").assertSuccess();
    // start prints the published URL as run does (the host port may be allocated again).
    String again = user.run(BOOT, "start", "every").assertSuccess().stdoutLines().get(0);
    assertEquals(
        "hi", Http.get(again + "greeting"), "the instance serves again after stop and start");
    user.run("volume", "ls").assertSuccess();

    ApplianceCli cron =
        ApplianceCli.loginShellCleanEnvironment("everyuser-env-i", USER, shared.jar(), home);
    assertTrue(
        cron.run("images").assertSuccess().stdout().contains("tiny-web"),
        "under env -i the user still finds its own store");
    assertTrue(cron.run("ps").assertSuccess().stdout().contains("every"), "and its own instances");
    assertTrue(
        cron.run("doctor").stdout().contains("/usr/sbin/chroot"), "and /usr/sbin's programs");
  }

  /**
   * A home for one of root's builds, its .deb cache seeded from the user's: the same packages
   * without downloading them again (the cache is keyed by SHA-256; layers are not shared).
   */
  private static Path rootHome(String name) throws IOException {
    Path dir = Files.createDirectory(shared.dir().resolve(name));
    Files.createDirectories(dir.resolve(".local/share/appliance/cache"));
    BuildUser.exec(
        List.of(
            "cp",
            "-a",
            user.xdgDirs().debCache().toString(),
            dir.resolve(".local/share/appliance/cache/debs").toString()));
    return dir;
  }

  /**
   * The image's layers hold ca-certificates' non-ASCII names intact, and no mangled name anywhere.
   */
  private static void assertNames(Path store, String build) throws IOException {
    StoredImage image = ImageStore.open(store).get(IMAGE);
    boolean cert = false;
    boolean link = false;
    for (Path layer : image.layerFiles()) {
      try (InputStream in = Files.newInputStream(layer);
          TarArchiveInputStream tar = new TarArchiveInputStream(new GZIPInputStream(in), "UTF-8")) {
        for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
          assertFalse(
              e.getName().contains("\uFFFD") || e.getLinkName().contains("\uFFFD"),
              build + ": mangled name " + e.getName() + " -> " + e.getLinkName());
          cert |= e.getName().equals(CERT) && e.isFile();
          if (e.getName().equals(CERT_LINK)) {
            assertTrue(e.isSymbolicLink(), build + ": " + CERT_LINK + " is a symlink");
            assertEquals("/" + CERT, e.getLinkName(), build + ": " + CERT_LINK);
            link = true;
          }
        }
      }
    }
    assertTrue(cert, build + ": " + CERT + " is in a layer");
    assertTrue(link, build + ": " + CERT_LINK + " is in a layer");
  }

  /**
   * A fresh account has no appliance data: remove what an earlier run left (owned by subordinate
   * uids too).
   */
  private static void removeUserData() throws IOException {
    BuildUser.exec(
        List.of(
            "rm",
            "-rf",
            "--one-file-system",
            home.resolve(".local/share/appliance").toString(),
            home.resolve(".local/state/appliance").toString()));
  }
}
