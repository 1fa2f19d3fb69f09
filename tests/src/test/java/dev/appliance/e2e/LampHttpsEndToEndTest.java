package dev.appliance.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.e2e.support.ApplianceCli;
import dev.appliance.e2e.support.CliResult;
import dev.appliance.e2e.support.Curl;
import dev.appliance.e2e.support.InstanceFiles;
import dev.appliance.e2e.support.ServedCertificate;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
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
 * The LAMP appliance as ops teams expect it (issue 15): HTTPS on 443 with a certificate generated
 * for the instance's name or given as secrets, HTTP redirected to HTTPS when asked, PHP through
 * php-fpm, adminer over HTTPS only and only with database credentials, rows kept across a restart.
 * Real build, real UML guests, real curl verifying the certificates; two boots and one restart.
 */
@Tag("e2e")
class LampHttpsEndToEndTest {
  private static final Duration BUILD = Duration.ofMinutes(40);
  private static final Duration BOOT = Duration.ofMinutes(25);
  private static final String HEALTH_TIMEOUT_SECONDS = "1200";
  private static final Duration STOP = Duration.ofMinutes(3);
  private static final Pattern GENERATED =
      Pattern.compile(
          "lamp-https: generated a self-signed certificate for (\\S+) \\(SHA-256 ([0-9A-F:]+)\\)");

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
  void httpsPhpFpmAdminerAndRedirect() throws Exception {
    cli = ApplianceCli.forTest("lamp-https");
    Path work = cli.home().getParent();
    Curl curl = new Curl(work.resolve("curl"));
    cli.run(BUILD, "build", "recipes/lamp/lamp.yaml").assertSuccess().digestOf("lamp:1.1.0");

    // Instance 1: no certificate given, so one is generated for its name.
    String password = "Pw-" + UUID.randomUUID();
    Path passwordFile = write(work.resolve("db_password"), password);
    List<String> urls =
        run(
            "lamp-https-a",
            "-p",
            "80",
            "-p",
            "443",
            "--secret",
            "db_password=@" + passwordFile,
            "--volume",
            "lamp-https-data:/var/lib/mysql");
    String http = url(urls, "http://");
    int httpsPort = URI.create(url(urls, "https://")).getPort();
    X509Certificate served = ServedCertificate.of(httpsPort);
    assertEquals(
        "CN=lamp-https-a", served.getSubjectX500Principal().getName(), "certificate's subject");
    assertEquals(
        List.of(List.of(2, "lamp-https-a")),
        served.getSubjectAlternativeNames().stream().map(List::copyOf).toList(),
        "certificate's names (DNS)");
    String logs = cli.run("logs", "lamp-https-a").assertSuccess().stdout();
    Matcher generated = GENERATED.matcher(logs);
    assertTrue(generated.find(), "no certificate fingerprint on the console:\n" + logs);
    assertEquals("lamp-https-a", generated.group(1));
    assertEquals(ServedCertificate.sha256(served), generated.group(2), "fingerprint on console");

    // A user trusting that certificate reaches the instance by its name, verified by curl.
    Path servedPem = write(work.resolve("served.pem"), ServedCertificate.pem(served));
    String https = "https://lamp-https-a:" + httpsPort + "/";
    String[] trust = {
      "--cacert", servedPem.toString(), "--resolve", "lamp-https-a:" + httpsPort + ":127.0.0.1"
    };
    Curl.Response page = curl.run(with(trust, https));
    assertEquals(200, page.status(), page.toString());
    assertTrue(
        page.body().contains("<span id=\"sapi\">fpm-fcgi</span>"),
        "PHP does not run in php-fpm:\n" + page.body());
    assertEquals(
        60,
        curl.run("--resolve", "lamp-https-a:" + httpsPort + ":127.0.0.1", https).exitCode(),
        "curl accepted the self-signed certificate without --cacert");

    // adminer: a login page over HTTPS, refused over plain HTTP, and only real credentials pass.
    Curl.Response adminer = curl.run(with(trust, https + "adminer/"));
    assertEquals(200, adminer.status(), adminer.toString());
    assertTrue(adminer.body().contains("name=\"auth[password]\""), adminer.body());
    assertFalse(
        adminer.body().contains("name=\"logout\""), "adminer logged in without credentials");
    Curl.Response plainAdminer = curl.run(http + "adminer/");
    assertEquals(403, plainAdminer.status(), plainAdminer.toString());
    Curl.Response denied = adminerLogin(curl, work, trust, https, "wrong-" + password);
    assertEquals(403, denied.status(), denied.toString());
    assertFalse(denied.body().contains("name=\"logout\""), "adminer let a wrong password in");
    assertTrue(denied.body().contains("(using password: YES)"), "no MariaDB refusal:\n" + denied);
    Curl.Response admitted = adminerLogin(curl, work, trust, https, password);
    assertTrue(admitted.body().contains("name=\"logout\""), admitted.toString());
    assertTrue(
        admitted.body().contains("id='Table-entries'"), "demo.entries not listed:\n" + admitted);

    // A row written over HTTPS survives a restart, and the certificate is kept.
    String row = "row-" + UUID.randomUUID();
    Curl.Response posted = curl.run(with(trust, "--data-urlencode", "message=" + row, https));
    assertEquals(303, posted.status(), posted.toString());
    cli.run(STOP, "stop", "lamp-https-a").assertSuccess();
    cli.run(BOOT, "start", "--timeout", HEALTH_TIMEOUT_SECONDS, "lamp-https-a").assertSuccess();
    Curl.Response restarted = curl.run(with(trust, https));
    assertEquals(200, restarted.status(), restarted.toString());
    assertTrue(restarted.body().contains(row), "row lost across stop/start:\n" + restarted);
    cli.run(STOP, "rm", "-f", "lamp-https-a").assertSuccess();
    startedInstances.remove("lamp-https-a");

    // Instance 2: a certificate and key given as secrets, plain HTTP redirected to HTTPS.
    String name = "lamp-b.example";
    Path ca = work.resolve("ca");
    issueCertificate(ca, name);
    int port = freePort();
    List<String> secondUrls =
        run(
            "lamp-https-b",
            "-p",
            "80",
            "-p",
            port + ":443",
            "--secret",
            "tls_cert=@" + ca.resolve("server.pem"),
            "--secret",
            "tls_key=@" + ca.resolve("server.key"),
            "--param",
            "http_redirect=" + port);
    String plain = url(secondUrls, "http://");
    int plainPort = URI.create(plain).getPort();
    String[] verify = {
      "--cacert",
      ca.resolve("ca.pem").toString(),
      "--resolve",
      name + ":" + port + ":127.0.0.1",
      "--resolve",
      name + ":" + plainPort + ":127.0.0.1"
    };
    Curl.Response verified = curl.run(with(verify, "https://" + name + ":" + port + "/healthz"));
    assertEquals(0, verified.exitCode(), verified.toString());
    assertEquals("ok", verified.body().strip());
    Curl.Response redirected = curl.run(plain + "?page=2");
    assertEquals(301, redirected.status(), redirected.toString());
    assertEquals(
        "https://127.0.0.1:" + port + "/?page=2", redirected.header("Location").orElse(""));
    assertEquals(200, curl.run(plain + "healthz").status(), "/healthz must stay on plain HTTP");
    Curl.Response followed = curl.run(with(verify, "-L", "http://" + name + ":" + plainPort + "/"));
    assertEquals(200, followed.status(), followed.toString());
    assertTrue(followed.body().contains("LAMP demo guestbook"), followed.toString());

    String secondLogs = cli.run("logs", "lamp-https-b").assertSuccess().stdout();
    assertTrue(
        secondLogs.contains("lamp-https: using the certificate given as tls_cert"), secondLogs);
    String keyBody = keyBody(ca.resolve("server.key"));
    assertFalse(secondLogs.contains(keyBody), "the TLS key is in the console log");
    assertEquals(
        List.of(),
        InstanceFiles.metadataAndLogsContaining(
            cli.dirs().instances().resolve("lamp-https-b"), keyBody));
    cli.run(STOP, "rm", "-f", "lamp-https-b").assertSuccess();
    startedInstances.remove("lamp-https-b");

    // Instance 3: a key that does not belong to the certificate. Apache must not start with any
    // other certificate; the console says what is wrong. The health check never passes.
    openssl(ca, "genpkey", "-algorithm", "EC", "-pkeyopt", ec(), "-out", "other.key");
    startedInstances.add("lamp-https-c");
    CliResult refused =
        cli.run(
            BOOT,
            "run",
            "-d",
            "--name",
            "lamp-https-c",
            "--engine",
            "uml",
            "--timeout",
            "120",
            "-p",
            "80",
            "--secret",
            "tls_cert=@" + ca.resolve("server.pem"),
            "--secret",
            "tls_key=@" + ca.resolve("other.key"),
            "lamp:1.1.0");
    assertFalse(refused.exitCode() == 0, "healthy with a key that is not the certificate's");
    String refusedLogs = cli.run("logs", "lamp-https-c").assertSuccess().stdout();
    assertTrue(
        refusedLogs.contains("lamp-https: tls_key does not belong to the certificate in tls_cert"),
        refusedLogs);
    assertFalse(
        refusedLogs.contains(keyBody(ca.resolve("other.key"))), "the key is on the console");
  }

  /** Logs in to adminer as demo with {@code password}, as a browser would; the page it lands on. */
  private static Curl.Response adminerLogin(
      Curl curl, Path work, String[] trust, String https, String password) throws IOException {
    Path cookies = work.resolve("cookies-" + UUID.randomUUID());
    // The password goes in a file, not on curl's command line.
    Path form =
        write(
            work.resolve("login-" + UUID.randomUUID()),
            "auth[driver]=server&auth[server]=localhost&auth[username]=demo&auth[db]=demo"
                + "&auth[password]="
                + java.net.URLEncoder.encode(password, StandardCharsets.UTF_8));
    String[] session = {"-c", cookies.toString(), "-b", cookies.toString()};
    curl.run(with(with(trust, session), https + "adminer/"));
    return curl.run(
        with(with(trust, session), "-L", "--data-binary", "@" + form, https + "adminer/"));
  }

  /**
   * A CA and a server certificate for {@code name} signed by it: ca.pem, server.pem, server.key.
   */
  private static void issueCertificate(Path dir, String name) throws Exception {
    Files.createDirectories(dir);
    write(
        dir.resolve("server.ext"),
        "subjectAltName=DNS:"
            + name
            + "\nbasicConstraints=critical,CA:FALSE\nextendedKeyUsage=serverAuth\n");
    String ec = ec();
    openssl(
        dir,
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        ec,
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=appliance test CA",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem");
    openssl(
        dir,
        "req",
        "-new",
        "-newkey",
        "ec",
        "-pkeyopt",
        ec,
        "-nodes",
        "-subj",
        "/CN=" + name,
        "-keyout",
        "server.key",
        "-out",
        "server.csr");
    openssl(
        dir,
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "server.ext",
        "-out",
        "server.pem");
  }

  private static String ec() {
    return "ec_paramgen_curve:prime256v1";
  }

  private static void openssl(Path dir, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    Process process =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("openssl.log").toFile())
            .start();
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "openssl did not end");
    assertEquals(
        0, process.exitValue(), command + ":\n" + Files.readString(dir.resolve("openssl.log")));
  }

  /** run -d on uml; returns the URLs it prints. */
  private List<String> run(String name, String... options) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "run",
                "-d",
                "--name",
                name,
                "--engine",
                "uml",
                "--timeout",
                HEALTH_TIMEOUT_SECONDS));
    args.addAll(List.of(options));
    args.add("lamp:1.1.0");
    startedInstances.add(name);
    CliResult result = cli.run(BOOT, args.toArray(String[]::new)).assertSuccess();
    System.err.printf(
        "[lamp-https] %s healthy on uml after %.1f s (including disk assembly)%n",
        name, result.elapsed().toMillis() / 1000.0);
    return result.stdoutLines();
  }

  private static String url(List<String> lines, String scheme) {
    return lines.stream()
        .filter(l -> l.startsWith(scheme + "127.0.0.1:"))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + scheme + " URL in " + lines));
  }

  private static String[] with(String[] first, String... more) {
    return Stream.concat(Stream.of(first), Stream.of(more)).toArray(String[]::new);
  }

  private static Path write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    return Files.writeString(file, text);
  }

  /** The key's base64 body on one line: what would show if the key leaked into a log. */
  private static String keyBody(Path key) throws IOException {
    return Files.readAllLines(key).stream()
        .filter(l -> !l.startsWith("-----"))
        .findFirst()
        .orElseThrow();
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
