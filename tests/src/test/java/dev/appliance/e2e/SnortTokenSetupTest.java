package dev.appliance.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.appliance.e2e.support.E2eEnvironment;
import dev.appliance.e2e.support.EndToEnd;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The snort appliance's token set-up (recipes/snort/files/appliance-ids-token), the real script,
 * run by root in a bubblewrap sandbox whose /run and /var/lib are this test's directories: the
 * guest's side of the paths that SnortEndToEndTest cannot reach, because `appliance run` always
 * attaches a config disk: an exported image booted without one generates its own token, keeps it
 * across reboots and shows it only to root; a given secret wins and is not written to the disk; a
 * malformed one stops the interface without being shown.
 */
@EndToEnd
class SnortTokenSetupTest {
  /** The guest's idsweb group, for the sandbox's /etc/group. */
  private static final int IDSWEB_GID = 4242;

  private static final String SCRIPT = "recipes/snort/files/appliance-ids-token";

  private Path work;

  /** The guest's /var/lib: the root disk, kept across boots. */
  private Path varLib;

  private Path group;

  private record Result(int exit, String out, String err) {}

  @BeforeEach
  void sandboxRoot() throws IOException {
    assumeTrue(
        "root".equals(System.getProperty("user.name")),
        "the script chgrps to idsweb as the guest's root does; only the host's root can here");
    work = E2eEnvironment.freshDirectory("snort-token");
    varLib = Files.createDirectories(work.resolve("var-lib"));
    group =
        Files.writeString(
            work.resolve("group"),
            Files.readString(Path.of("/etc/group")) + "idsweb:x:" + IDSWEB_GID + ":\n");
  }

  /**
   * One boot: a fresh tmpfs /run holding {@code secret} as the config disk's ids_token (null:
   * none).
   */
  private Path boot(String secret) throws IOException {
    Path run = work.resolve("run-" + System.nanoTime());
    Files.createDirectories(run.resolve("appliance/secrets"));
    if (secret != null) {
      Files.writeString(run.resolve("appliance/secrets/ids_token"), secret);
    }
    return run;
  }

  private Result script(Path run, String... args) throws Exception {
    List<String> command =
        new ArrayList<>(
            List.of(
                "bwrap",
                "--bind",
                "/",
                "/",
                "--bind",
                run.toString(),
                "/run",
                "--bind",
                varLib.toString(),
                "/var/lib",
                "--ro-bind",
                group.toString(),
                "/etc/group",
                "--dev-bind",
                "/dev",
                "/dev",
                "--die-with-parent",
                "/bin/sh",
                E2eEnvironment.repository().resolve(SCRIPT).toString()));
    command.addAll(List.of(args));
    Process p =
        new ProcessBuilder(command)
            .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
            .start();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), "the script hangs");
    return new Result(
        p.exitValue(),
        new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
        new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
  }

  private static String mode(Path file) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(file));
  }

  @Test
  void withoutASecretTheGuestGeneratesKeepsAndShowsItsOwnToken() throws Exception {
    Path first = boot(null);
    Result setup = script(first, "--setup");
    assertEquals(0, setup.exit(), setup.err());
    Path stored = varLib.resolve("appliance-ids/token");
    String token = Files.readString(stored);
    assertTrue(
        token.matches("[0-9a-f]{48}"),
        "192 bits from /dev/urandom as hex, not " + token.length() + " characters");
    assertEquals("rw-------", mode(stored), "root only");
    assertEquals("rwx------", mode(stored.getParent()));
    assertTrue(setup.out().contains("ids_token not given; generated one"), setup.out());
    assertFalse(
        setup.out().contains(token) || setup.err().contains(token), "set-up printed the token");

    Path active = first.resolve("appliance-ids/token");
    assertEquals(token, Files.readString(active));
    assertEquals("rw-r-----", mode(active));
    assertEquals(
        IDSWEB_GID,
        (int) Files.getAttribute(active, "unix:gid"),
        "readable by the interface's group only");

    Path second = boot(null);
    Result reboot = script(second, "--setup");
    assertEquals(0, reboot.exit(), reboot.err());
    assertTrue(reboot.out().contains("using the token generated at an earlier boot"), reboot.out());
    assertEquals(
        token,
        Files.readString(second.resolve("appliance-ids/token")),
        "the same token after a reboot");

    Result show = script(second);
    assertEquals(0, show.exit(), show.err());
    assertEquals(token + "\n", show.out());
  }

  @Test
  void aGivenSecretWinsAndStaysOffTheDisk() throws Exception {
    assertEquals(0, script(boot(null), "--setup").exit());
    String generated = Files.readString(varLib.resolve("appliance-ids/token"));

    String given = "operator-chosen.token~0123+/=";
    Path run = boot(given);
    Result setup = script(run, "--setup");
    assertEquals(0, setup.exit(), setup.err());
    assertTrue(setup.out().contains("using the ids_token secret"), setup.out());
    assertFalse(setup.out().contains(given), "set-up printed the token");
    assertEquals(given, Files.readString(run.resolve("appliance-ids/token")));
    assertEquals(
        generated,
        Files.readString(varLib.resolve("appliance-ids/token")),
        "a given secret is not stored on the disk");
  }

  @Test
  void aMalformedSecretStopsTheInterfaceWithoutShowingIt() throws Exception {
    for (String bad :
        List.of(
            "two words-0123456789",
            "line-one-0123456789\nline-two",
            "short-token",
            "x".repeat(257))) {
      Path run = boot(bad);
      Result setup = script(run, "--setup");
      assertEquals(1, setup.exit(), bad + ": " + setup.out());
      assertTrue(setup.err().contains("appliance-ids-token: ids_token must"), setup.err());
      assertFalse(
          setup.err().contains(bad.substring(0, 8)) || setup.out().contains(bad.substring(0, 8)),
          "the refusal shows the secret: " + setup.err());
      assertFalse(Files.exists(run.resolve("appliance-ids/token")), "no token for the interface");
    }
  }
}
