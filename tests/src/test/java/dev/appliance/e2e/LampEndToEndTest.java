package dev.appliance.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.appliance.e2e.support.ApplianceCli;
import dev.appliance.e2e.support.CliResult;
import dev.appliance.e2e.support.E2eEnvironment;
import dev.appliance.e2e.support.InstanceFiles;
import dev.appliance.e2e.support.LocalRegistry;
import dev.appliance.e2e.support.SharedAppliance;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The LAMP appliance as an ops team uses it: build, ship through a registry, run on UML with its
 * database on a named volume, keep a row across stop/start and across an upgrade to a newer image
 * version, leave no process behind, and boot on QEMU TCG too. The image is the run's shared build
 * of recipes/lamp with its committed lock file ({@link SharedAppliance}). Everything is real:
 * mmdebstrap, docker-registry, the engines. It runs for many minutes on a busy 2-core host; each
 * step prints its duration.
 */
@Tag("e2e")
@Tag("slow")
class LampEndToEndTest {
  private static final Duration BUILD = Duration.ofMinutes(40);
  private static final Duration TRANSFER = Duration.ofMinutes(10);

  /** Boots under heavy load took minutes; the health timeout is passed to run as well. */
  private static final Duration BOOT = Duration.ofMinutes(25);

  private static final String HEALTH_TIMEOUT_SECONDS = "1200";
  private static final Duration STOP = Duration.ofMinutes(3);
  private static final Pattern MARIADB_VERSION =
      Pattern.compile("<span id=\"server\">(\\d+\\.\\d+\\.\\d+-MariaDB[^<]*)</span>");
  private static final Pattern COUNT =
      Pattern.compile("<p id=\"count\">(\\d+) entr(?:y|ies) in MariaDB");

  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(10))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();
  private final List<String> startedInstances = new ArrayList<>();
  private ApplianceCli cli;

  @AfterEach
  void removeInstances() {
    // A failed assertion must not leave a guest running on a shared host.
    for (String name : startedInstances) {
      cli.run(STOP, "rm", "-f", name);
    }
  }

  @Test
  void buildShipRunPersistUpgradeAndClean() throws Exception {
    cli = ApplianceCli.forTest("lamp");
    Path work = cli.home().getParent();

    String built =
        step(
            "1. build recipes/lamp/lamp.yaml (once per run, shared: SharedAppliance)",
            () -> SharedAppliance.LAMP.build().copyInto(cli));
    assertEquals(
        built,
        new ObjectMapper()
            .readTree(cli.run("inspect", "--json", "lamp:1.1.0").assertSuccess().stdout())
            .get("digest")
            .asText(),
        "lamp:1.1.0 in this suite's own store is the shared build");
    System.err.println(
        "[lamp] image layers:\n" + cli.run("inspect", "lamp:1.1.0").assertSuccess().stdout());

    String image;
    try (LocalRegistry registry = LocalRegistry.builder(work.resolve("registry")).start()) {
      image = registry.address() + "/ops/lamp:1.1.0";
      step(
          "2. push, remove the local image, pull it back",
          () -> {
            CliResult pushed = cli.run(TRANSFER, "push", "lamp:1.1.0", image).assertSuccess();
            assertEquals(
                built,
                pushed.stdout().strip(),
                "the registry's manifest digest differs from the local one");
            cli.run("rmi", "lamp:1.1.0").assertSuccess();
            cli.run("gc").assertSuccess();
            assertFalse(
                cli.run("images").assertSuccess().stdout().contains("lamp"), "image still local");
            CliResult pulled = cli.run(TRANSFER, "pull", image).assertSuccess();
            assertEquals(
                built, pulled.stdout().strip(), "pulled digest differs from the built one");
            return null;
          });
    }

    String firstUrl =
        step(
            "3. run on uml with a volume: healthy, page shows MariaDB",
            () -> {
              String url = run(image, "lamp-a", "uml", "--volume", "lamp-data:/var/lib/mysql");
              assertEquals("ok", get(url + "healthz").body().strip());
              HttpResponse<String> page = get(url);
              assertEquals(200, page.statusCode(), page.body());
              Matcher version = MARIADB_VERSION.matcher(page.body());
              assertTrue(version.find(), "no MariaDB version on the page:\n" + page.body());
              assertEquals("0", entryCount(page.body()));
              String logs = cli.run("logs", "lamp-a").assertSuccess().stdout();
              assertTrue(logs.contains("lamp-setup: db_password not given; generating one"), logs);
              return url;
            });

    String row = "row-" + UUID.randomUUID();
    String url =
        step(
            "4. write a row, stop, start: the row is still there",
            () -> {
              HttpResponse<String> posted =
                  post(firstUrl, "message=" + URLEncoder.encode(row, StandardCharsets.UTF_8));
              assertEquals(303, posted.statusCode(), posted.body());
              assertTrue(get(firstUrl).body().contains(row), "row not shown after the write");
              cli.run(STOP, "stop", "lamp-a").assertSuccess();
              String restarted =
                  urlOf(
                      cli.run(BOOT, "start", "--timeout", HEALTH_TIMEOUT_SECONDS, "lamp-a")
                          .assertSuccess());
              assertTrue(get(restarted).body().contains(row), "row lost across stop/start");
              return restarted;
            });

    step(
        "5. upgrade to 1.1.1 (data version 2) on the same volume: the hook ran, the row is kept",
        () -> {
          Path recipe = copyRecipe(work.resolve("recipes-1.1.1"), "1.1.1", 2, false);
          cli.run(BUILD, "build", recipe.toString()).assertSuccess();
          CliResult upgraded =
              cli.run(BOOT, "upgrade", "--timeout", HEALTH_TIMEOUT_SECONDS, "lamp-a", "lamp:1.1.1")
                  .assertSuccess();
          System.err.printf(
              "[lamp] upgrade 1.1.0 -> 1.1.1 on uml: %.1f s%n",
              upgraded.elapsed().toMillis() / 1000.0);
          HttpResponse<String> page = get(url);
          assertEquals(200, page.statusCode(), page.body());
          assertTrue(page.body().contains(row), "row lost on upgrade:\n" + page.body());
          assertEquals("1", entryCount(page.body()));
          String logs = cli.run("logs", "lamp-a").assertSuccess().stdout();
          assertTrue(logs.contains("lamp-setup: using the password stored with the data"), logs);
          assertTrue(logs.contains("lamp-data-upgrade: mariadb-upgrade"), logs);
          assertTrue(logs.contains("appliance-data-upgrade: data moved from version 1 to 2"), logs);
          // Back to 1.1.0 would hand MariaDB data it may not read: refused, nothing booted.
          String refused = cli.run(BOOT, "rollback", "lamp-a").assertExit(2).stderr();
          assertTrue(refused.contains("volume lamp-data holds data version 2"), refused);
          assertTrue(get(url).body().contains(row), "the refused rollback stopped the instance");
          return null;
        });

    step(
        "6. upgrade to a broken 1.1.2 (health never passes): rolled back to 1.1.1, row kept",
        () -> {
          Path recipe = copyRecipe(work.resolve("recipes-1.1.2"), "1.1.2", 2, true);
          cli.run(BUILD, "build", recipe.toString()).assertSuccess();
          CliResult broken = cli.run(BOOT, "upgrade", "lamp-a", "lamp:1.1.2").assertExit(1);
          System.err.printf(
              "[lamp] failed upgrade and automatic rollback on uml: %.1f s%n",
              broken.elapsed().toMillis() / 1000.0);
          String error = broken.stderr();
          assertTrue(error.contains("upgrade to lamp:1.1.2 failed"), error);
          assertTrue(error.contains("rolled back: lamp-a runs lamp:1.1.1 again"), error);
          HttpResponse<String> page = get(url);
          assertEquals(200, page.statusCode(), page.body());
          assertTrue(page.body().contains(row), "row lost by the rollback:\n" + page.body());
          String history = cli.run("inspect", "lamp-a").assertSuccess().stdout();
          assertTrue(history.contains("lamp:1.1.2"), history);
          return null;
        });

    step(
        "7. back up the volume to a registry, restore it in a fresh home, run: the row is back",
        () -> {
          ApplianceCli fresh = ApplianceCli.forTest("lamp-restore");
          try (LocalRegistry registry =
              LocalRegistry.builder(work.resolve("backup-registry")).start()) {
            String backup = registry.address() + "/ops/lamp-data:backup";
            cli.run(BOOT, "volume", "backup", "--stop", "lamp-data", backup).assertSuccess();
            assertTrue(get(url).body().contains(row), "the instance did not come back");
            String current = registry.address() + "/ops/lamp:1.1.1";
            cli.run(TRANSFER, "push", "lamp:1.1.1", current).assertSuccess();
            fresh.run(TRANSFER, "volume", "restore", backup, "lamp-data").assertSuccess();
            String restoredUrl =
                runIn(fresh, current, "lamp-r", "uml", "--volume", "lamp-data:/var/lib/mysql");
            try {
              HttpResponse<String> page = get(restoredUrl);
              assertTrue(page.body().contains(row), "row not restored:\n" + page.body());
            } finally {
              fresh.run(STOP, "rm", "-f", "lamp-r");
            }
          }
          return null;
        });

    step(
        "8. rm -f: no process of the instance is left",
        () -> {
          Path dir = cli.dirs().instances().resolve("lamp-a");
          assertFalse(
              processesOf(dir).isEmpty(), "test cannot see the running instance's processes");
          cli.run(STOP, "rm", "-f", "lamp-a").assertSuccess();
          startedInstances.remove("lamp-a");
          assertEquals(List.of(), processesOf(dir));
          assertFalse(Files.exists(dir), dir + " still exists");
          return null;
        });

    step(
        "9. boot the pulled image on tcg with a secret, to the health check",
        () -> {
          String password = "Tcg-" + UUID.randomUUID();
          String tcgUrl =
              runWithStdin(password, image, "lamp-t", "tcg", "--secret", "db_password=-");
          assertEquals(200, get(tcgUrl).statusCode());
          String logs = cli.run("logs", "lamp-t").assertSuccess().stdout();
          assertTrue(logs.contains("lamp-setup: using the db_password secret"), logs);
          assertFalse(logs.contains(password), "the secret is in the console log");
          Path dir = cli.dirs().instances().resolve("lamp-t");
          // The config disk carries it by design, the guest's disk stores it with the data.
          assertEquals(List.of(), InstanceFiles.metadataAndLogsContaining(dir, password));
          cli.run(STOP, "rm", "-f", "lamp-t").assertSuccess();
          startedInstances.remove("lamp-t");
          assertEquals(List.of(), processesOf(dir));
          return null;
        });
  }

  private String run(String image, String name, String engine, String... extra) {
    return runWithStdin(null, image, name, engine, extra);
  }

  /** As {@link #run}, with another home's CLI (the instance is not removed after the test). */
  private String runIn(
      ApplianceCli other, String image, String name, String engine, String... extra) {
    ApplianceCli mine = cli;
    cli = other;
    try {
      String url = runWithStdin(null, image, name, engine, extra);
      startedInstances.remove(name);
      return url;
    } finally {
      cli = mine;
    }
  }

  /**
   * run -d on a free loopback port; returns the URL it prints. {@code stdin} feeds --secret NAME=-.
   */
  private String runWithStdin(
      String stdin, String image, String name, String engine, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "run",
                "-d",
                "--name",
                name,
                "--engine",
                engine,
                "-p",
                "80",
                "--timeout",
                HEALTH_TIMEOUT_SECONDS));
    args.addAll(List.of(extra));
    args.add(image);
    startedInstances.add(name);
    CliResult result =
        stdin == null
            ? cli.run(BOOT, args.toArray(String[]::new))
            : cli.runWithStdin(stdin, BOOT, args.toArray(String[]::new));
    String url = urlOf(result.assertSuccess());
    System.err.printf(
        "[lamp] %s healthy on %s after %.1f s (including disk assembly)%n",
        name, engine, result.elapsed().toMillis() / 1000.0);
    return url;
  }

  private static String urlOf(CliResult result) {
    String url =
        result.stdoutLines().stream()
            .filter(l -> l.startsWith("http://127.0.0.1:"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no URL on stdout:\n" + result.stdout()));
    return url.endsWith("/") ? url : url + "/";
  }

  private static String entryCount(String page) {
    Matcher count = COUNT.matcher(page);
    assertTrue(count.find(), "no entry count on the page:\n" + page);
    return count.group(1);
  }

  private HttpResponse<String> get(String url) throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String url, String form)
      throws IOException, InterruptedException {
    return http.send(
        HttpRequest.newBuilder(URI.create(url))
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/x-www-form-urlencoded")
            .POST(HttpRequest.BodyPublishers.ofString(form))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * recipes/lamp and recipes/base copied under {@code root}, lamp.yaml with another version and
   * data version; when {@code broken}, a health check that never passes (a path nothing serves)
   * within 60 s.
   */
  private static Path copyRecipe(Path root, String version, int dataVersion, boolean broken)
      throws IOException {
    Path recipe = E2eEnvironment.copyRecipes(root, "base", "lamp").resolve("lamp/lamp.yaml");
    String yaml = Files.readString(recipe);
    String changed =
        yaml.replaceFirst("(?m)^version: .*$", "version: " + version)
            .replaceFirst("(?m)^  version: \\d+$", "  version: " + dataVersion);
    assertFalse(yaml.equals(changed), "no version line in " + recipe);
    assertTrue(changed.contains("\n  version: " + dataVersion + "\n"), "no data version set");
    if (broken) {
      String unhealthy =
          changed
              .replaceFirst("(?m)^  path: /healthz$", "  path: /never-served")
              .replaceFirst("(?m)^  timeout: 600$", "  timeout: 60");
      assertFalse(unhealthy.equals(changed), "no health check to break in " + recipe);
      changed = unhealthy;
    }
    Files.writeString(recipe, changed);
    return recipe;
  }

  /**
   * Pids of host processes that belong to the instance: those carrying its APPLIANCE_INSTANCE
   * marker, or naming its directory on their command line (linux.uml, vde_plug, qemu and the
   * supervisor all do one or the other).
   */
  private static List<Long> processesOf(Path instanceDir) throws IOException {
    String marker = "APPLIANCE_INSTANCE=" + instanceDir;
    List<Long> pids = new ArrayList<>();
    try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
      for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        String environ = readProc(proc.resolve("environ"));
        String cmdline = readProc(proc.resolve("cmdline"));
        if (environ.contains(marker + "\0")
            || environ.endsWith(marker)
            || cmdline.contains(instanceDir.toString())) {
          pids.add(Long.valueOf(proc.getFileName().toString()));
        }
      }
    }
    return pids;
  }

  private static String readProc(Path file) {
    try {
      return new String(Files.readAllBytes(file), StandardCharsets.UTF_8);
    } catch (IOException | SecurityException e) {
      return ""; // the process ended meanwhile, or is not ours to read
    }
  }

  private static <T> T step(String title, Step<T> body) throws Exception {
    long start = System.nanoTime();
    System.err.println("[lamp] " + title);
    try {
      return body.run();
    } finally {
      System.err.printf("[lamp] %s: %.1f s%n", title, (System.nanoTime() - start) / 1e9);
    }
  }

  @FunctionalInterface
  private interface Step<T> {
    T run() throws Exception;
  }
}
