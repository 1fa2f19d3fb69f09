package dev.appliance.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.appliance.e2e.support.ApplianceCli;
import dev.appliance.e2e.support.CliResult;
import dev.appliance.e2e.support.Curl;
import dev.appliance.e2e.support.E2eEnvironment;
import dev.appliance.e2e.support.EndToEnd;
import dev.appliance.e2e.support.SharedAppliance;
import dev.appliance.registry.RegistryServer;
import dev.appliance.registry.TestCa;
import dev.appliance.testsupport.FreePort;
import dev.appliance.testsupport.OvmfMachine;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue 16's own test with the LAMP appliance, through the real CLI: lamp exported with updates
 * following a tag in a real docker-registry (TLS with a test CA, htpasswd credentials given to the
 * export as secrets), booted under plain qemu-system-x86_64 with OVMF on TCG, no appliance runtime
 * on the guest side; guestbook rows written; the next lamp version pushed with its root slot to the
 * followed tag; the guest's own timer finds it, writes the other slot and reboots into it (the same
 * QEMU process: a reboot restarts the machine, UEFI variables kept), the health gate keeps it, and
 * the rows are still there. No {@code --state-dir}: the export puts the directories lamp records as
 * its state (/var/lib/mysql) on the data partition by itself.
 *
 * <p>Versions: the run's shared lamp:1.1.0 (the current recipe) is exported. lamp 1.0.0 (commit
 * a320d92) predates the updater, so the update goes to 1.1.1: a copy of recipes/lamp (with
 * recipes/base beside it, for {@code extends:}) whose only change is {@code version:}, built with
 * the CLI from the copied caches (every layer is a cache hit). The first-boot parameter {@code
 * update_interval=1min} makes the guest check a minute after boot and after each check instead of
 * the default 15 min and 6 h. Prints the bytes the guest downloaded against the full image and the
 * time from the push to healthy on the new slot.
 */
@EndToEnd
@Tag("slow")
class LampUpdateE2eTest {
  private static final Duration BUILD = Duration.ofMinutes(40);
  // Guards against hangs, not speed claims: a LAMP boot under TCG on two loaded cores takes
  // minutes, and an update writes and grows the root slot in the guest.
  private static final Duration TRANSFER = Duration.ofMinutes(20);
  private static final Duration BOOT = Duration.ofMinutes(25);
  private static final Duration UPDATE = Duration.ofMinutes(45);
  private static final String PASSWORD = "lamp-update-" + UUID.randomUUID();
  private static final Pattern COUNT =
      Pattern.compile("<p id=\"count\">(\\d+) entr(?:y|ies) in MariaDB");

  @Test
  void anExportedLampUpdatesItselfFromTheRegistryAndKeepsItsRows() throws Exception {
    long testStart = System.nanoTime();
    ApplianceCli cli = ApplianceCli.forTest("lamp-update");
    Path work = cli.home().getParent();
    Curl curl = new Curl(work.resolve("curl"));

    String current = SharedAppliance.LAMP.build().copyInto(cli);
    String next =
        cli.run(BUILD, "build", nextVersion(work.resolve("recipes-1.1.1")).toString())
            .assertSuccess()
            .digestOf("lamp:1.1.1");
    assertNotEquals(current, next, "1.1.1 is another image");

    TestCa ca = TestCa.create(work.resolve("ca"), List.of("IP:10.0.2.2"));
    try (RegistryServer registry = RegistryServer.secure(work.resolve("registry"), ca, PASSWORD)) {
      String stable = registry.host() + "/ops/lamp:stable";
      // The guest reaches the host's 127.0.0.1 as 10.0.2.2 on QEMU's user network.
      String follow = stable.replace("127.0.0.1:", "10.0.2.2:");
      JsonNode first = push(cli, ca, "lamp:1.1.0", stable);
      assertEquals(current, first.get("digest").asText(), "the registry's digest of 1.1.0");
      long fullImage = first.get("bytesSent").asLong();

      Path user = Files.writeString(work.resolve("update-user"), RegistryServer.USER);
      Path password = Files.writeString(work.resolve("update-password"), PASSWORD);
      Path out = work.resolve("out");
      List<String> files =
          cli.run(
                  TRANSFER,
                  "export",
                  "lamp:1.1.0",
                  "--format",
                  "qcow2",
                  "-o",
                  out.toString(),
                  "--update-from",
                  follow,
                  "--update-ca",
                  ca.caCert().toString(),
                  "--secret",
                  "update_username=@" + user,
                  "--secret",
                  "update_password=@" + password,
                  "--param",
                  "update_interval=1min")
              .assertSuccess()
              .stdoutLines();
      Path disk = file(files, ".qcow2");
      Path config = file(files, "-config.img");

      int port = FreePort.next();
      String url = "http://127.0.0.1:" + port + "/";
      try (OvmfMachine vm =
          OvmfMachine.in(work.resolve("vm"))
              .disk(disk, "qcow2")
              .readOnlyDisk(config)
              .restartOnReboot()
              .start(port)) {
        long bootStart = System.nanoTime();
        awaitHealthy(curl, url, vm);
        System.err.printf(
            "[lamp-update] 1.1.0 healthy under OVMF + TCG after %d s%n", seconds(bootStart));
        vm.awaitConsole(
            "appliance-update: checking for updates every 1min (update_interval)", 0, BOOT);
        vm.awaitConsole("appliance-update: up to date: " + follow + " is " + current, 0, BOOT);

        List<String> rows = List.of("row-" + UUID.randomUUID(), "row-" + UUID.randomUUID());
        for (String row : rows) {
          Curl.Response posted = curl.run("--data-urlencode", "message=" + row, url);
          assertEquals(303, posted.status(), posted.toString());
        }
        assertEquals(2, entries(curl.run(url).body()), "two rows before the update");

        int mark = vm.console().length();
        long pushStart = System.nanoTime();
        JsonNode second = push(cli, ca, "lamp:1.1.1", stable);
        assertEquals(next, second.get("digest").asText(), "the registry's digest of 1.1.1");
        long pushed = System.nanoTime();

        vm.awaitConsole("appliance-update: new version: " + follow + " is " + next, mark, UPDATE);
        // Written after the download's line: that line is complete on the console by then.
        vm.awaitConsole("appliance-update: writing " + next + " to slot b", mark, UPDATE);
        Matcher downloaded =
            Pattern.compile(
                    "appliance-update: downloaded sha256:[0-9a-f]{64}: (\\d+) bytes fetched by"
                        + " this check, (\\d+) in all")
                .matcher(vm.console().substring(mark));
        assertTrue(downloaded.find(), vm.tail());
        long fetched = Long.parseLong(downloaded.group(1));
        long blob = Long.parseLong(downloaded.group(2));
        assertEquals(blob, fetched, "the whole root slot, in one check");
        vm.awaitConsole("appliance-update: rebooting into slot b to try " + next, mark, UPDATE);
        vm.awaitConsole(
            "appliance-update: slot b is healthy and now the default: " + next, mark, UPDATE);
        awaitHealthy(curl, url, vm);
        long update = seconds(pushed);

        String page = curl.run(url).body();
        assertEquals(2, entries(page), "rows kept across the update:\n" + page);
        rows.forEach(row -> assertTrue(page.contains(row), row + " lost:\n" + page));
        Curl.Response posted = curl.run("--data-urlencode", "message=after the update", url);
        assertEquals(303, posted.status(), "1.1.1 writes rows: " + posted);
        assertEquals(3, entries(curl.run(url).body()));
        assertEquals(1, vm.resets(), "one reboot, into slot b");
        // Nothing fell back: the trial slot's gate passed, the old slot's never reported a failure.
        String since = vm.console().substring(mark);
        assertTrue(
            !since.contains("appliance-update: slot b (") && !since.contains("rolled back to slot"),
            vm.tail());
        // push --root-slot moves the tag last: no check found the new digest without its slot.
        assertTrue(!since.contains("has no root-slot artifact"), vm.tail());

        // Where the update's time goes, by the guest's clock (check, download, write, reboot).
        since
            .lines()
            .filter(line -> line.contains("appliance-update: "))
            .forEach(line -> System.err.println("[lamp-update] console: " + line.strip()));
        System.err.printf(
            "[lamp-update] 1.1.0 -> 1.1.1: %d s from the end of the push to healthy on slot b"
                + " (%d s from its start; the push with its root slot took %d s); downloaded %,d"
                + " bytes (the gzip root slot) against %,d bytes for the full image (every blob"
                + " of 1.1.0); test wall time so far %d s%n",
            update,
            seconds(pushStart),
            (pushed - pushStart) / 1_000_000_000L,
            fetched,
            fullImage,
            seconds(testStart));
      }
    }
  }

  /** recipes/lamp and recipes/base copied under {@code root}, lamp's version set to 1.1.1. */
  private static Path nextVersion(Path root) throws IOException {
    Path recipe = E2eEnvironment.copyRecipes(root, "base", "lamp").resolve("lamp/lamp.yaml");
    String yaml = Files.readString(recipe);
    String changed = yaml.replaceFirst("(?m)^version: 1\\.1\\.0$", "version: 1.1.1");
    assertNotEquals(yaml, changed, "no 'version: 1.1.0' line in " + recipe);
    Files.writeString(recipe, changed);
    return recipe;
  }

  /** {@code appliance push --root-slot --json} to the TLS registry, the password on stdin. */
  private static JsonNode push(ApplianceCli cli, TestCa ca, String image, String target)
      throws IOException {
    CliResult result =
        cli.runWithStdin(
                PASSWORD,
                TRANSFER,
                "push",
                image,
                target,
                "--root-slot",
                "--json",
                "--ca-cert",
                ca.caCert().toString(),
                "--username",
                RegistryServer.USER,
                "--password-stdin")
            .assertSuccess();
    assertTrue(result.stderr().contains("root-slot image: sha256-"), result.stderr());
    return new ObjectMapper().readTree(result.stdout());
  }

  /** Waits until /healthz answers 200 (the image's own health check). */
  private static void awaitHealthy(Curl curl, String url, OvmfMachine vm) throws Exception {
    long deadline = System.nanoTime() + BOOT.toNanos();
    while (System.nanoTime() < deadline && vm.isAlive()) {
      if (curl.run("--max-time", "10", url + "healthz").status() == 200) {
        return;
      }
      Thread.sleep(5000);
    }
    throw new AssertionError("lamp never answered /healthz; the console ends with:\n" + vm.tail());
  }

  private static int entries(String page) {
    Matcher count = COUNT.matcher(page);
    assertTrue(count.find(), "no entry count on the page:\n" + page);
    return Integer.parseInt(count.group(1));
  }

  private static Path file(List<String> files, String suffix) {
    return files.stream()
        .filter(f -> f.endsWith(suffix))
        .map(Path::of)
        .findFirst()
        .orElseThrow(() -> new AssertionError("export wrote no *" + suffix + ": " + files));
  }

  private static long seconds(long since) {
    return (System.nanoTime() - since) / 1_000_000_000L;
  }
}
