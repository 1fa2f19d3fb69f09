package dev.appliance.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.InvalidInputException;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RecipeParserTest {
  private final RecipeParser parser = new RecipeParser();

  static Path good(String name) throws URISyntaxException {
    return Path.of(RecipeParserTest.class.getResource("/recipes/good/" + name).toURI());
  }

  @Test
  void minimalRecipeGetsTheDocumentedDefaults() throws Exception {
    Recipe r = parser.parse(good("minimal.yaml"));

    assertEquals("minimal", r.name());
    assertEquals("0.1", r.version());
    assertEquals("", r.description());
    assertEquals(new Recipe.Base("debian", "trixie", "minbase", null, List.of("main")), r.base());
    assertEquals(new Recipe.Resources(512, 1, 2L << 30), r.resources());
    assertEquals(
        new Recipe.Kernels("linux-image-cloud-amd64", "user-mode-linux", "sid"), r.kernels());
    assertEquals(Recipe.Services.none(), r.services());
    assertNull(r.health());
    assertNull(r.parent());
    assertTrue(
        r.packages().isEmpty()
            && r.files().isEmpty()
            && r.run().isEmpty()
            && r.ports().isEmpty()
            && r.params().isEmpty()
            && r.networks().isEmpty()
            && r.users().isEmpty()
            && r.groups().isEmpty()
            && r.stateDirs().isEmpty());
    assertEquals(List.of(r), r.chain());
    assertTrue(r.source().isAbsolute());
  }

  @Test
  void everyKeyIsBound() throws Exception {
    Path file = good("full.yaml");
    Recipe r = parser.parse(file);
    Path dir = file.getParent();

    assertEquals("1.10", r.version(), "the version is kept as written, not read as the number 1.1");
    assertEquals("Every key set", r.description());
    assertEquals(
        new Recipe.Base(
            "debian",
            "bookworm",
            "apt",
            "http://mirror.example/debian",
            List.of("main", "contrib")),
        r.base());
    assertEquals(List.of("curl", "nginx-light=1.22.1-9", "user-mode-linux/sid"), r.packages());
    assertEquals(
        List.of(
            new Recipe.FileEntry(
                dir.resolve("files/index.php"), "/var/www/index.php", 0644, "www-data", "www-data"),
            new Recipe.FileEntry(
                dir.resolve("files/setup.sh"), "/usr/local/bin/setup", 0755, "root", "root"),
            new Recipe.FileEntry(
                dir.resolve("files/setup.sh"),
                "/usr/local/bin/setuid-setup",
                04755,
                "root",
                "root")),
        r.files());
    assertEquals(
        List.of(new Recipe.RunStep("echo one"), new Recipe.RunStep("echo two\necho three\n")),
        r.run());
    assertEquals(
        new Recipe.Services(List.of("nginx", "cron.timer"), List.of("apt-daily.timer"), List.of()),
        r.services());
    assertEquals(
        List.of(
            new Recipe.User("app", 1500, null, List.of("adm", "www-data"), null, null, false),
            new Recipe.User(
                "daemon-user",
                null,
                "nogroup",
                List.of(),
                "/var/lib/daemon-user",
                "/usr/sbin/nologin",
                true)),
        r.users());
    assertEquals(
        List.of(
            new Recipe.Group("appgroup", 1600, false), new Recipe.Group("sysgroup", null, true)),
        r.groups());
    assertEquals(List.of("/var/lib/app", "/srv/app-data"), r.stateDirs());
    assertEquals(
        List.of(
            new Recipe.Port("http", 80, "tcp"),
            new Recipe.Port("dns", 53, "udp"),
            new Recipe.Port("https", 443, "tcp")),
        r.ports());
    assertEquals(List.of(new Recipe.Network("capture", "capture")), r.networks());
    assertEquals(new Recipe.HealthCheck("http", 80, "/status", 204, 90), r.health());
    assertEquals(new Recipe.Resources(2048, 2, 10L << 30), r.resources());
    assertEquals(
        new Recipe.Kernels("linux-image-amd64", "user-mode-linux", "unstable"), r.kernels());
    assertEquals(
        List.of(
            new Recipe.Param("admin_password", null, true, "The admin's password", true),
            new Recipe.Param("greeting", "hello world", false, ""),
            new Recipe.Param("answer", "042", false, "")),
        r.params());
  }

  @Test
  void childMergesSettingsOverItsParentAndKeepsOnlyItsOwnLayeredParts() throws Exception {
    Recipe child = parser.parse(good("child.yaml"));
    Recipe parent = child.parent();

    assertEquals("full", parent.name());
    assertEquals(List.of(parent, child), child.chain());
    // Settings: the child's value where it sets one, the parent's otherwise.
    assertEquals(
        new Recipe.Base(
            "debian", "trixie", "apt", "http://mirror.example/debian", List.of("main", "contrib")),
        child.base());
    assertEquals(new Recipe.Resources(3072, 2, 10L << 30), child.resources());
    assertEquals(parent.kernels(), child.kernels());
    assertEquals(new Recipe.HealthCheck("tcp", 9100, null, 0, 300), child.health());
    // Named lists merge by name: same name replaces in place, new names are appended.
    assertEquals(
        List.of(
            new Recipe.Port("http", 8080, "tcp"),
            new Recipe.Port("dns", 53, "udp"),
            new Recipe.Port("https", 443, "tcp"),
            new Recipe.Port("metrics", 9100, "tcp")),
        child.ports());
    assertEquals(
        List.of("admin_password", "greeting", "answer", "extra"),
        child.params().stream().map(Recipe.Param::name).toList());
    assertEquals("hi", child.params().get(1).defaultValue());
    // Layered parts: only what the child itself declares.
    assertEquals(List.of("jq"), child.packages());
    assertTrue(child.files().isEmpty() && child.run().isEmpty() && child.users().isEmpty());
    assertEquals(Recipe.Services.none(), child.services());
  }

  @Test
  void tcpHealthCheckHasNoPathOrStatus() throws Exception {
    assertEquals(
        new Recipe.HealthCheck("tcp", 22, null, 0, 300),
        parser.parse(good("tcp-health.yaml")).health());
  }

  @Test
  void shippedRecipesValidateAndShareTheirBaseExactly() {
    Path recipes = repositoryRoot().resolve("recipes");
    Recipe lamp = parser.parse(recipes.resolve("lamp/lamp.yaml"));
    Recipe snort = parser.parse(recipes.resolve("snort/snort.yaml"));

    Recipe base = lamp.parent();
    assertEquals(base, snort.parent(), "lamp and snort must extend the very same base");
    assertNull(base.parent());
    assertEquals("debian-base", base.name());
    assertEquals(
        new Recipe.Base("debian", "trixie", "minbase", null, List.of("main")), base.base());
    assertTrue(
        base.packages()
            .containsAll(List.of("systemd-sysv", "udev", "iproute2", "ca-certificates")));
    assertTrue(
        base.files().stream()
            .map(Recipe.FileEntry::dest)
            .toList()
            .containsAll(
                List.of(
                    "/etc/systemd/network/10-appliance.network",
                    "/usr/lib/appliance/appliance-firstboot",
                    "/etc/systemd/system/appliance-firstboot.service")));
    assertTrue(
        base.services().enable().containsAll(List.of("systemd-networkd", "appliance-firstboot")));

    assertEquals(
        List.of(
            "apache2",
            "mariadb-server",
            "php-fpm",
            "php-mysql",
            "adminer",
            "eatmydata",
            "libfaketime"),
        lamp.packages());
    assertEquals(
        List.of(new Recipe.Port("http", 80, "tcp"), new Recipe.Port("https", 443, "tcp")),
        lamp.ports());
    assertEquals(new Recipe.HealthCheck("http", 80, "/healthz", 200, 600), lamp.health());
    assertEquals(new Recipe.Resources(1024, 1, 4L << 30), lamp.resources());
    assertEquals(
        List.of("db_password", "tls_cert", "tls_key", "http_redirect"),
        lamp.params().stream().map(Recipe.Param::name).toList());
    assertTrue(lamp.params().get(0).secret());
    assertTrue(lamp.params().get(2).secret(), "the TLS key is a secret");
    assertNull(lamp.params().get(0).defaultValue(), "no credential is baked into the image");

    assertTrue(snort.packages().contains("suricata"));
    assertEquals(List.of("alerts", "http"), snort.ports().stream().map(Recipe.Port::name).toList());
    // The IDS's full parameter set is the snort appliance's business (its e2e test); the
    // recipe language must carry at least the two the issue names.
    assertTrue(
        snort.params().stream()
            .map(Recipe.Param::name)
            .toList()
            .containsAll(List.of("home_net", "syslog_target")),
        snort.params().toString());
    for (Recipe r : List.of(lamp, snort)) {
      for (Recipe link : r.chain()) {
        link.files()
            .forEach(f -> assertTrue(Files.isRegularFile(f.source()), f.source().toString()));
      }
    }
  }

  @Test
  void snortRulesCarryTheSelfTestRule() throws IOException {
    String rules = Files.readString(repositoryRoot().resolve("recipes/snort/rules/local.rules"));
    assertTrue(
        rules
            .lines()
            .anyMatch(
                l ->
                    l.startsWith("alert ")
                        && l.contains("sid:1000001;")
                        && l.contains("content:\"appliance-ids-test\"")));
  }

  @Test
  void errorsNameTheFileAsGiven() throws Exception {
    Path relative =
        Path.of("")
            .toAbsolutePath()
            .relativize(Path.of(getClass().getResource("/recipes/bad/unknown-key.yaml").toURI()));

    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> parser.parse(relative));

    assertTrue(e.getMessage().startsWith(relative + ":4:1: unknown key 'pakages'"), e.getMessage());
  }

  @Test
  void linkLeadingOutOfTheRecipeDirectoryIsRejected(@TempDir Path dir) throws IOException {
    Path outside = Files.writeString(dir.resolve("host-secret"), "secret");
    Path recipeDir = Files.createDirectories(dir.resolve("recipe/files"));
    Files.createSymbolicLink(recipeDir.resolve("innocent.conf"), outside);
    Path recipe =
        Files.writeString(
            dir.resolve("recipe/r.yaml"),
            "name: r\nversion: \"1\"\nfiles:\n  - source: files/innocent.conf\n    dest: /etc/innocent.conf\n");

    InvalidInputException e = assertThrows(InvalidInputException.class, () -> parser.parse(recipe));

    assertTrue(
        e.getMessage()
            .contains(":4:13: files[0].source: 'files/innocent.conf' is a link leading outside"),
        e.getMessage());
  }

  @Test
  void oversizedRecipeIsRejectedBeforeParsing(@TempDir Path dir) throws IOException {
    Path recipe = dir.resolve("big.yaml");
    Files.writeString(
        recipe, "name: big\nversion: \"1\"\n# " + "x".repeat(YamlRecipeReader.MAX_BYTES) + "\n");

    InvalidInputException e = assertThrows(InvalidInputException.class, () -> parser.parse(recipe));

    assertTrue(e.getMessage().startsWith(recipe + ": larger than 1024 KiB"), e.getMessage());
  }

  @Test
  void endlessInputIsCutOff() {
    Path endless = Path.of("/dev/zero");
    InvalidInputException e =
        assertTimeoutPreemptively(
            Duration.ofSeconds(5),
            () -> assertThrows(InvalidInputException.class, () -> parser.parse(endless)));
    assertTrue(e.getMessage().startsWith("/dev/zero: larger than 1024 KiB"), e.getMessage());
  }

  @Test
  void deeplyNestedYamlIsRejectedWhereItStarts(@TempDir Path dir) throws IOException {
    Path recipe = dir.resolve("deep.yaml");
    Files.writeString(
        recipe, "name: deep\nversion: \"1\"\nrun: " + "[".repeat(200) + "]".repeat(200) + "\n");

    InvalidInputException e = assertThrows(InvalidInputException.class, () -> parser.parse(recipe));

    assertTrue(
        e.getMessage().startsWith(recipe + ":3:7: run[0]: expected a single value, found a list"),
        e.getMessage());
  }

  @Test
  void emptyRecipeIsRejected(@TempDir Path dir) throws IOException {
    for (String content : List.of("", "# only a comment\n", "~\n")) {
      Path recipe = Files.writeString(dir.resolve("empty.yaml"), content);

      InvalidInputException e =
          assertThrows(InvalidInputException.class, () -> parser.parse(recipe));

      assertTrue(e.getMessage().startsWith(recipe + ": the recipe is empty"), e.getMessage());
    }
  }

  @Test
  void hugeAliasBombFailsFastWithoutExpanding(@TempDir Path dir) throws IOException {
    // 30 levels of 9 aliases each would be 9^30 nodes if expanded.
    StringBuilder yaml =
        new StringBuilder(
            "name: bomb\nversion: \"1\"\npackages: &l0 [a1, a2, a3, a4, a5, a6, a7, a8, a9]\n");
    yaml.append("run: &l1 [").append("*l0, ".repeat(8)).append("*l0]\n");
    for (int i = 2; i <= 30; i++) {
      yaml.append("k")
          .append(i)
          .append(": &l")
          .append(i)
          .append(" [")
          .append(("*l" + (i - 1) + ", ").repeat(8))
          .append("*l")
          .append(i - 1)
          .append("]\n");
    }
    Path recipe = Files.writeString(dir.resolve("bomb.yaml"), yaml);

    InvalidInputException e =
        assertTimeoutPreemptively(
            Duration.ofSeconds(5),
            () -> assertThrows(InvalidInputException.class, () -> parser.parse(recipe)));

    assertTrue(
        e.getMessage().contains(":4:11: run[0]: YAML aliases (*l0) are not supported"),
        e.getMessage());
  }

  @Test
  void suggestionsFindCloseKeysOnly() {
    assertEquals("packages", Suggestions.closest("pakages", List.of("name", "packages", "ports")));
    assertEquals("port", Suggestions.closest("prot", List.of("name", "port", "protocol")));
    assertNull(Suggestions.closest("flavour", List.of("suite", "variant", "mirror")));
  }

  @Test
  void parsingTheSameFileTwiceGivesEqualRecipes() throws Exception {
    Recipe first = parser.parse(good("child.yaml"));
    Recipe second = new RecipeParser().parse(good("child.yaml"));
    assertEquals(first, second);
    assertFalse(first == second);
    assertSame(first.parent(), first.chain().get(0));
  }

  static Path repositoryRoot() {
    for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
      if (Files.isRegularFile(dir.resolve("recipes/base/debian.yaml"))) {
        return dir;
      }
    }
    throw new IllegalStateException("not inside the appliance repository");
  }
}
