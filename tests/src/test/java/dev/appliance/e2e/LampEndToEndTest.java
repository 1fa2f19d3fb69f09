package dev.appliance.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.appliance.e2e.support.ApplianceCli;
import dev.appliance.e2e.support.CliResult;
import dev.appliance.e2e.support.Curl;
import dev.appliance.e2e.support.E2eEnvironment;
import dev.appliance.e2e.support.EndToEnd;
import dev.appliance.e2e.support.InstanceFiles;
import dev.appliance.e2e.support.LocalRegistry;
import dev.appliance.e2e.support.ServedCertificate;
import dev.appliance.e2e.support.SharedAppliance;
import dev.appliance.e2e.support.TestCertificates;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The LAMP appliance over its life, as an ops team runs it (issue 15): the real lamp 1.0.0, built
 * from the commit that released it, runs with its database on a volume; {@code upgrade} moves it to
 * the current 1.1.0 (shipped through a registry): the rows are kept, MariaDB's data is upgraded in
 * the guest, and HTTPS answers on the port published for it all along, with a certificate generated
 * for the instance, PHP in php-fpm and adminer over HTTPS only. An upgrade to a broken 1.1.1 rolls
 * back by itself; going back to 1.0.0 is refused. The volume, backed up to a registry and restored
 * in a fresh home, serves the rows again on QEMU TCG with a certificate and key given as secrets
 * and plain HTTP redirected to HTTPS. Everything is real: mmdebstrap, docker-registry, the engines,
 * curl and openssl. Each step prints its duration.
 */
@EndToEnd
@Tag("slow")
class LampEndToEndTest {
  /** The last commit whose recipes/lamp/lamp.yaml says version 1.0.0: the released recipe. */
  private static final String RELEASE_1_0_0 = "a320d92a545f038d597f3b236c3dab7b2f84ac59";

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
  private static final Pattern GENERATED =
      Pattern.compile(
          "lamp-https: generated a self-signed certificate for (\\S+) \\(SHA-256 ([0-9A-F:]+)\\)");

  private final List<String> startedInstances = new ArrayList<>();
  private ApplianceCli cli;
  private Curl curl;
  private LocalRegistry registry;

  @AfterEach
  void removeInstances() {
    // A failed assertion must not leave a guest or a registry running on a shared host.
    for (String name : startedInstances) {
      cli.run(STOP, "rm", "-f", name);
    }
    if (registry != null) {
      registry.close();
    }
  }

  @Test
  void upgradeFromTheReleasedVersionRollBackABrokenOneAndRestoreElsewhere() throws Exception {
    cli = ApplianceCli.forTest("lamp");
    Path work = cli.home().getParent();
    curl = new Curl(work.resolve("curl"));

    String built =
        step(
            "1. build recipes/lamp/lamp.yaml (once per run, shared: SharedAppliance)",
            () -> SharedAppliance.LAMP.build().copyInto(cli));
    step(
        "2. build the released lamp 1.0.0 from its commit with today's builder",
        () -> {
          Path recipe = releasedRecipe(work.resolve("recipes-1.0.0"));
          cli.run(BUILD, "build", recipe.toString()).assertSuccess().digestOf("lamp:1.0.0");
          return null;
        });

    // Open until the upgrade, which pulls the image again (and would verify its signature).
    registry = LocalRegistry.builder(work.resolve("registry")).start();
    String image = registry.address() + "/ops/lamp:1.1.0";
    step(
        "3. push 1.1.0, remove the local image, pull it back",
        () -> {
          CliResult pushed = cli.run(TRANSFER, "push", "lamp:1.1.0", image).assertSuccess();
          assertEquals(
              built,
              pushed.stdout().strip(),
              "the registry's manifest digest differs from the local one");
          cli.run("rmi", "lamp:1.1.0").assertSuccess();
          cli.run("gc").assertSuccess();
          assertFalse(
              cli.run("images").assertSuccess().stdout().contains("lamp:1.1.0"),
              "image still local");
          CliResult pulled = cli.run(TRANSFER, "pull", image).assertSuccess();
          assertEquals(built, pulled.stdout().strip(), "pulled digest differs from the built one");
          return null;
        });

    String password = "Pw-" + UUID.randomUUID();
    Path passwordFile = write(work.resolve("db_password"), password);
    int httpsPort = freePort();
    String row = "row-" + UUID.randomUUID();
    String url =
        step(
            "4. run 1.0.0 on uml with a volume, 80 and 443 published; write a row",
            () -> {
              String http =
                  urlOf(
                      run(
                          "lamp:1.0.0",
                          "lamp-a",
                          "uml",
                          "-p",
                          httpsPort + ":443",
                          "--secret",
                          "db_password=@" + passwordFile,
                          "--volume",
                          "lamp-data:/var/lib/mysql"));
              assertEquals("ok", curl.run(http + "healthz").body().strip());
              Curl.Response page = curl.run(http);
              assertEquals(200, page.status(), page.toString());
              assertTrue(
                  MARIADB_VERSION.matcher(page.body()).find(), "no MariaDB version:\n" + page);
              assertEquals("0", entryCount(page.body()));
              assertTrue(
                  lastBoot("lamp-a").contains("lamp-setup: using the db_password secret"),
                  "1.0.0 did not get the secret");
              assertNotEquals(
                  0,
                  curl.run("https://127.0.0.1:" + httpsPort + "/").exitCode(),
                  "1.0.0 has nothing on 443");
              Curl.Response posted = curl.run("--data-urlencode", "message=" + row, http);
              assertEquals(303, posted.status(), posted.toString());
              assertTrue(curl.run(http).body().contains(row), "row not shown after the write");
              return http;
            });

    String https = "https://lamp-a:" + httpsPort + "/";
    Path servedPem = work.resolve("served.pem");
    String[] trust = {
      "--cacert", servedPem.toString(), "--resolve", "lamp-a:" + httpsPort + ":127.0.0.1"
    };
    String fingerprint =
        step(
            "5. upgrade to 1.1.0 from the registry: rows kept, data upgraded, HTTPS on 443",
            () -> {
              CliResult upgraded =
                  cli.run(BOOT, "upgrade", "--timeout", HEALTH_TIMEOUT_SECONDS, "lamp-a", image)
                      .assertSuccess();
              String progress = upgraded.stderr();
              assertTrue(
                  progress.contains("booting " + image + " (its data upgrade runs from version 0)"),
                  progress);
              System.err.println(
                  "[lamp] upgrade 1.0.0 -> 1.1.0 on uml, stop to healthy: "
                      + seconds(progress, "upgraded lamp-a to \\S+ in ([0-9.]+) s"));
              assertEquals(url, urlOf(upgraded), "the same published port");
              Curl.Response page = curl.run(url);
              assertEquals(200, page.status(), page.toString());
              assertTrue(page.body().contains(row), "row lost on upgrade:\n" + page);
              assertEquals("1", entryCount(page.body()));
              String boot = lastBoot("lamp-a");
              assertTrue(boot.contains("lamp-data-upgrade: mariadb-upgrade"), boot);
              assertTrue(
                  boot.contains("appliance-data-upgrade: data moved from version 0 to 1"), boot);
              // The rewritten config disk carries the secret given to 1.0.0's run.
              assertTrue(boot.contains("lamp-setup: using the db_password secret"), boot);
              // 1.0.0's data had no TLS key for MariaDB: made once, kept with the data (step 6).
              assertTrue(
                  boot.contains("lamp-mariadb-tls: generated MariaDB's TLS key and certificate"),
                  boot);

              X509Certificate served = ServedCertificate.of(httpsPort);
              assertEquals(
                  "CN=lamp-a", served.getSubjectX500Principal().getName(), "certificate's subject");
              assertEquals(
                  List.of(List.of(2, "lamp-a")),
                  served.getSubjectAlternativeNames().stream().map(List::copyOf).toList(),
                  "certificate's names (DNS)");
              Matcher generated = GENERATED.matcher(boot);
              assertTrue(generated.find(), "no certificate fingerprint on the console:\n" + boot);
              assertEquals("lamp-a", generated.group(1));
              assertEquals(
                  ServedCertificate.sha256(served), generated.group(2), "fingerprint on console");
              write(servedPem, ServedCertificate.pem(served));
              Curl.Response secure = curl.run(with(trust, https));
              assertEquals(200, secure.status(), secure.toString());
              assertTrue(secure.body().contains(row), secure.toString());
              assertTrue(
                  secure.body().contains("<span id=\"sapi\">fpm-fcgi</span>"),
                  "PHP does not run in php-fpm:\n" + secure.body());
              assertEquals(
                  60,
                  curl.run("--resolve", "lamp-a:" + httpsPort + ":127.0.0.1", https).exitCode(),
                  "curl accepted the self-signed certificate without --cacert");
              assertEquals(200, curl.run(url).status(), "http_redirect defaults to off");
              checkAdminer(work, trust, https, url, password);

              // 1.1.0 moved the data to version 1: back to 1.0.0 is refused, nothing stops.
              String refused = cli.run(BOOT, "rollback", "lamp-a").assertExit(2).stderr();
              assertTrue(refused.contains("volume lamp-data holds data version 1"), refused);
              assertTrue(curl.run(url).body().contains(row), "the refused rollback stopped it");
              return generated.group(2);
            });
    registry.close();
    registry = null;

    step(
        "6. upgrade to a broken 1.1.1 (health never passes): rolled back to 1.1.0, rows kept",
        () -> {
          Path recipe = brokenRecipe(work.resolve("recipes-1.1.1"), "1.1.1");
          cli.run(BUILD, "build", recipe.toString()).assertSuccess();
          CliResult broken = cli.run(BOOT, "upgrade", "lamp-a", "lamp:1.1.1").assertExit(1);
          String error = broken.stderr();
          System.err.println(
              "[lamp] failed upgrade to 1.1.1 and automatic rollback on uml: "
                  + String.format("%.1f s", broken.elapsed().toMillis() / 1000.0)
                  + ", rollback "
                  + seconds(error, "rolled back in ([0-9.]+) s"));
          assertTrue(
              error.contains("upgrade to lamp:1.1.1 failed: lamp-a did not become healthy"), error);
          assertTrue(error.contains("/never-served"), "the last probe's error:\n" + error);
          assertTrue(error.contains("rolled back: lamp-a runs " + image + " again"), error);
          Curl.Response page = curl.run(with(trust, https));
          assertEquals(200, page.status(), page.toString());
          assertTrue(page.body().contains(row), "row lost by the rollback:\n" + page);
          assertEquals("1", entryCount(page.body()));
          assertEquals(
              fingerprint,
              ServedCertificate.sha256(ServedCertificate.of(httpsPort)),
              "the generated certificate is kept across boots");
          String boot = lastBoot("lamp-a");
          assertTrue(
              boot.contains("lamp-mariadb-tls: using the key and certificate kept with the data"),
              boot);
          JsonNode inspect =
              new ObjectMapper()
                  .readTree(cli.run("inspect", "--json", "lamp-a").assertSuccess().stdout());
          List<String> outcomes = new ArrayList<>();
          inspect.get("history").forEach(c -> outcomes.add(c.get("outcome").asText()));
          assertEquals(List.of("created", "upgraded", "upgrade-failed", "rolled-back"), outcomes);
          return null;
        });

    TestCertificates ca = TestCertificates.issue(work.resolve("ca"), "lamp-r.example");
    step(
        "7. a key that is not the certificate's: never healthy, the console says why",
        () -> {
          Path otherKey = ca.otherKey("other.key");
          startedInstances.add("lamp-c");
          CliResult refused =
              cli.run(
                  BOOT,
                  "run",
                  "-d",
                  "--name",
                  "lamp-c",
                  "--engine",
                  "uml",
                  "--timeout",
                  "120",
                  "-p",
                  "80",
                  "--secret",
                  "tls_cert=@" + ca.serverPem(),
                  "--secret",
                  "tls_key=@" + otherKey,
                  image);
          assertNotEquals(0, refused.exitCode(), "healthy with a key that is not the cert's");
          String logs = cli.run("logs", "lamp-c").assertSuccess().stdout();
          assertTrue(
              logs.contains("lamp-https: tls_key does not belong to the certificate in tls_cert"),
              logs);
          assertFalse(logs.contains(TestCertificates.keyBody(otherKey)), "key on the console");
          cli.run(STOP, "rm", "-f", "lamp-c").assertSuccess();
          startedInstances.remove("lamp-c");
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
        "9. back up the volume, restore it in a fresh home, run on tcg with a given certificate",
        () -> {
          ApplianceCli fresh = ApplianceCli.forTest("lamp-restore");
          SharedAppliance.LAMP.build().copyInto(fresh);
          try (LocalRegistry registry =
              LocalRegistry.builder(work.resolve("backup-registry")).start()) {
            String backup = registry.address() + "/ops/lamp-data:backup";
            cli.run(TRANSFER, "volume", "backup", "lamp-data", backup).assertSuccess();
            fresh.run(TRANSFER, "volume", "restore", backup, "lamp-data").assertSuccess();
          }
          restoredWithGivenCertificate(fresh, ca, password);
          return null;
        });
  }

  /** adminer: a login page over HTTPS only, and only real database credentials pass. */
  private void checkAdminer(Path work, String[] trust, String https, String http, String password)
      throws IOException {
    Curl.Response adminer = curl.run(with(trust, https + "adminer/"));
    assertEquals(200, adminer.status(), adminer.toString());
    assertTrue(adminer.body().contains("name=\"auth[password]\""), adminer.body());
    assertFalse(
        adminer.body().contains("name=\"logout\""), "adminer logged in without credentials");
    Curl.Response plain = curl.run(http + "adminer/");
    assertEquals(403, plain.status(), plain.toString());
    Curl.Response denied = adminerLogin(work, trust, https, "wrong-" + password);
    assertEquals(403, denied.status(), denied.toString());
    assertFalse(denied.body().contains("name=\"logout\""), "adminer let a wrong password in");
    assertTrue(denied.body().contains("(using password: YES)"), "no MariaDB refusal:\n" + denied);
    Curl.Response admitted = adminerLogin(work, trust, https, password);
    assertTrue(admitted.body().contains("name=\"logout\""), admitted.toString());
    assertTrue(
        admitted.body().contains("id='Table-entries'"), "demo.entries not listed:\n" + admitted);
  }

  /** Logs in to adminer as demo with {@code password}, as a browser would; the page it lands on. */
  private Curl.Response adminerLogin(Path work, String[] trust, String https, String password)
      throws IOException {
    Path cookies = work.resolve("cookies-" + UUID.randomUUID());
    // The password goes in a file, not on curl's command line.
    Path form =
        write(
            work.resolve("login-" + UUID.randomUUID()),
            "auth[driver]=server&auth[server]=localhost&auth[username]=demo&auth[db]=demo"
                + "&auth[password]="
                + URLEncoder.encode(password, StandardCharsets.UTF_8));
    String[] session = {"-c", cookies.toString(), "-b", cookies.toString()};
    curl.run(with(with(trust, session), https + "adminer/"));
    return curl.run(
        with(with(trust, session), "-L", "--data-binary", "@" + form, https + "adminer/"));
  }

  /**
   * In {@code fresh}'s home: 1.1.0 on tcg with the restored volume, the CA's certificate and key as
   * secrets, plain HTTP redirected to the published HTTPS port, the database password from stdin.
   */
  private void restoredWithGivenCertificate(
      ApplianceCli fresh, TestCertificates ca, String password) throws Exception {
    String name = "lamp-r.example";
    int port = freePort();
    ApplianceCli mine = cli;
    cli = fresh;
    try {
      CliResult result =
          runWithStdin(
              password,
              "lamp:1.1.0",
              "lamp-r",
              "tcg",
              "-p",
              port + ":443",
              "--volume",
              "lamp-data:/var/lib/mysql",
              "--secret",
              "db_password=-",
              "--secret",
              "tls_cert=@" + ca.serverPem(),
              "--secret",
              "tls_key=@" + ca.serverKey(),
              "--param",
              "http_redirect=" + port);
      String plain = urlOf(result);
      int plainPort = Integer.parseInt(plain.replaceAll("^http://127\\.0\\.0\\.1:(\\d+)/$", "$1"));
      String[] verify = {
        "--cacert",
        ca.caPem().toString(),
        "--resolve",
        name + ":" + port + ":127.0.0.1",
        "--resolve",
        name + ":" + plainPort + ":127.0.0.1"
      };
      Curl.Response verified = curl.run(with(verify, "https://" + name + ":" + port + "/"));
      assertEquals(0, verified.exitCode(), verified.toString());
      assertEquals(200, verified.status(), verified.toString());
      assertEquals("1", entryCount(verified.body()), "the restored volume's row");
      Curl.Response redirected = curl.run(plain + "?page=2");
      assertEquals(301, redirected.status(), redirected.toString());
      assertEquals(
          "https://127.0.0.1:" + port + "/?page=2", redirected.header("Location").orElse(""));
      assertEquals(200, curl.run(plain + "healthz").status(), "/healthz must stay on plain HTTP");
      Curl.Response followed =
          curl.run(with(verify, "-L", "http://" + name + ":" + plainPort + "/"));
      assertEquals(200, followed.status(), followed.toString());
      assertTrue(followed.body().contains("LAMP demo guestbook"), followed.toString());

      String logs = cli.run("logs", "lamp-r").assertSuccess().stdout();
      assertTrue(logs.contains("lamp-https: using the certificate given as tls_cert"), logs);
      assertTrue(logs.contains("lamp-setup: using the db_password secret"), logs);
      String keyBody = TestCertificates.keyBody(ca.serverKey());
      assertFalse(logs.contains(keyBody), "the TLS key is in the console log");
      assertFalse(logs.contains(password), "the password is in the console log");
      Path dir = cli.dirs().instances().resolve("lamp-r");
      // The config disk carries them by design; no metadata file or log may.
      assertEquals(List.of(), InstanceFiles.metadataAndLogsContaining(dir, keyBody));
      assertEquals(List.of(), InstanceFiles.metadataAndLogsContaining(dir, password));
      cli.run(STOP, "rm", "-f", "lamp-r").assertSuccess();
      startedInstances.remove("lamp-r");
      assertEquals(List.of(), processesOf(dir));
    } finally {
      if (startedInstances.remove("lamp-r")) {
        fresh.run(STOP, "rm", "-f", "lamp-r"); // removeInstances() only sees the first home
      }
      cli = mine;
    }
  }

  private CliResult run(String image, String name, String engine, String... extra) {
    return runWithStdin(null, image, name, engine, extra);
  }

  /** run -d with 80 on a free loopback port. {@code stdin} feeds --secret NAME=-. */
  private CliResult runWithStdin(
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
        (stdin == null
                ? cli.run(BOOT, args.toArray(String[]::new))
                : cli.runWithStdin(stdin, BOOT, args.toArray(String[]::new)))
            .assertSuccess();
    System.err.printf(
        "[lamp] %s healthy on %s after %.1f s (including disk assembly)%n",
        name, engine, result.elapsed().toMillis() / 1000.0);
    return result;
  }

  /** The plain HTTP URL {@code run}, {@code start} or {@code upgrade} printed, ending in '/'. */
  private static String urlOf(CliResult result) {
    String url =
        result.stdoutLines().stream()
            .filter(l -> l.startsWith("http://127.0.0.1:"))
            .findFirst()
            .orElseThrow(() -> new AssertionError("no URL on stdout:\n" + result.stdout()));
    return url.endsWith("/") ? url : url + "/";
  }

  /** The console of the instance's last boot. */
  private String lastBoot(String instance) {
    String logs = cli.run("logs", instance).assertSuccess().stdout();
    int last = logs.lastIndexOf("\n=== ");
    return last < 0 ? logs : logs.substring(last + 1);
  }

  private static String entryCount(String page) {
    Matcher count = COUNT.matcher(page);
    assertTrue(count.find(), "no entry count on the page:\n" + page);
    return count.group(1);
  }

  private static String seconds(String text, String regex) {
    Matcher m = Pattern.compile(regex).matcher(text);
    return m.find() ? m.group(1) + " s" : "(not reported)";
  }

  /**
   * recipes/base and recipes/lamp as commit {@link #RELEASE_1_0_0} has them, under {@code root}
   * ({@code git archive}); returns its lamp.yaml.
   */
  private static Path releasedRecipe(Path root) throws Exception {
    Files.createDirectories(root);
    Path tar = root.resolve("release.tar");
    Path repository = E2eEnvironment.repository();
    exec(
        repository,
        "git",
        "archive",
        "--format=tar",
        "-o",
        tar.toString(),
        RELEASE_1_0_0,
        "recipes/base",
        "recipes/lamp");
    exec(root, "tar", "-xf", tar.toString());
    Path recipe = root.resolve("recipes/lamp/lamp.yaml");
    assertTrue(
        Files.readString(recipe).contains("\nversion: 1.0.0\n"), "not lamp 1.0.0: " + recipe);
    return recipe;
  }

  /**
   * recipes/lamp and recipes/base copied under {@code root} as {@code version}, with a health check
   * that never passes (a path nothing serves) within 60 s.
   */
  private static Path brokenRecipe(Path root, String version) throws IOException {
    Path recipe = E2eEnvironment.copyRecipes(root, "base", "lamp").resolve("lamp/lamp.yaml");
    String yaml = Files.readString(recipe);
    String changed =
        yaml.replaceFirst("(?m)^version: .*$", "version: " + version)
            .replaceFirst("(?m)^  path: /healthz$", "  path: /never-served")
            .replaceFirst("(?m)^  timeout: 600$", "  timeout: 60");
    assertTrue(changed.contains("version: " + version + "\n"), "no version line in " + recipe);
    assertTrue(changed.contains("path: /never-served\n"), "no health check to break");
    Files.writeString(recipe, changed);
    return recipe;
  }

  private static void exec(Path dir, String... command) throws Exception {
    Process process =
        new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(process.waitFor(2, TimeUnit.MINUTES), String.join(" ", command) + " did not end");
    assertEquals(
        0,
        process.exitValue(),
        String.join(" ", command)
            + " failed (the released commit must be in the repository's history: fetch it,"
            + " a shallow clone lacks it):\n"
            + output);
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

  private static String[] with(String[] first, String... more) {
    return Stream.concat(Stream.of(first), Stream.of(more)).toArray(String[]::new);
  }

  private static Path write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    return Files.writeString(file, text);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
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
