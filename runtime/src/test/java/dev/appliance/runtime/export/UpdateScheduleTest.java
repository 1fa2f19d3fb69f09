package dev.appliance.runtime.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.appliance.common.HostTools;
import dev.appliance.common.InvalidInputException;
import dev.appliance.runtime.disk.HostTool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The first-boot parameter update_interval, as the base recipe's updater turns it into a drop-in of
 * appliance-update.timer ({@code appliance-update schedule}, run by the first-boot units). The
 * script runs on the host in a private mount namespace with what the guest has: a kernel command
 * line naming slot A, a tmpfs /run holding the parameter and the data partition's directories, and
 * a systemctl that records its calls (the host's systemd is not the guest's). The value comes from
 * a config disk or user-data, so it is untrusted: only one number and one unit from 1min to 30d
 * become a drop-in; anything else leaves the default schedule and is reported without being echoed.
 * Export ({@link UpdateInterval}, through {@link ExportOptions}) accepts and refuses exactly the
 * same values, so a bad one is exit 2 at export rather than a console line at every boot.
 */
class UpdateScheduleTest {
  private static final Path SCRIPT = BaseRecipeFiles.DIR.resolve("appliance-update");

  @TempDir Path tmp;

  @ParameterizedTest
  @ValueSource(strings = {"1min", "60s", "90s", "2min", "30min", "6h", "1d", "30d"})
  void aTimeSpanBecomesTheTimersSchedule(String interval) throws IOException {
    assertEquals(interval, UpdateInterval.parse(interval).value(), "export takes it too");
    Guest guest = schedule(interval);
    assertEquals(0, guest.exitCode(), guest.output());
    assertEquals(
        "[Timer]\nOnBootSec=\nOnBootSec="
            + interval
            + "\nOnUnitActiveSec="
            + interval
            + "\nRandomizedDelaySec=0\nAccuracySec=1s\n",
        guest.dropIn(),
        "the timer drop-in");
    assertEquals(
        List.of("daemon-reload", "try-restart appliance-update.timer"),
        guest.systemctl(),
        "systemd reloads it; a timer already started (cloud metadata comes late) starts again");
    assertTrue(
        guest.output().contains("appliance-update: checking for updates every " + interval),
        guest.output());
    assertTrue(
        guest
            .status()
            .contains(
                "schedule:    every "
                    + interval
                    + " after boot and after each check"
                    + " (update_interval)"),
        guest.status());
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "59s", // under a minute: a fleet would hammer its registry
        "31d",
        "0h",
        "01h",
        "1h30min", // systemd would accept it; one unit keeps the check simple
        "1 h",
        "6H",
        "6hours",
        "1h\n2h",
        "1h;reboot",
        "$(reboot)h",
        "9999999d",
        " "
      })
  void anythingElseLeavesTheDefaultScheduleAndIsNotEchoed(String interval) throws IOException {
    InvalidInputException refused =
        assertThrows(InvalidInputException.class, () -> UpdateInterval.parse(interval));
    assertTrue(
        refused.getMessage().startsWith("first-boot parameter update_interval '"),
        refused.getMessage());
    assertTrue(
        refused.getMessage().endsWith("from 1min to 30d, like 30min, 6h or 1d"),
        refused.getMessage());
    assertFalse(refused.getMessage().contains("\n"), "a line break in the message");
    Guest guest = schedule(interval);
    assertEquals(2, guest.exitCode(), guest.output());
    assertTrue(
        guest
            .output()
            .contains(
                "appliance-update: update_interval ("
                    + interval.length()
                    + " characters) is not a time span from 1min to 30d like 30min, 6h or 1d:"
                    + " the default schedule stays"),
        guest.output());
    if (!interval.isBlank()) {
      assertFalse(guest.output().contains(interval), "the value is echoed: " + guest.output());
    }
    assertEquals(null, guest.dropIn(), "no drop-in");
    assertEquals(List.of(), guest.systemctl(), "systemd untouched");
    assertTrue(
        guest.status().contains("schedule:    15 min after boot, then every 6 h (the default)"),
        guest.status());
  }

  @Test
  void exportRefusesABadIntervalBeforeWritingAnything() {
    InvalidInputException refused =
        assertThrows(
            InvalidInputException.class,
            () ->
                new ExportOptions(
                    ExportFormat.QCOW2,
                    tmp.resolve("out"),
                    false,
                    null,
                    Map.of(UpdateInterval.PARAM, "1h30min"),
                    Map.of()));
    assertTrue(refused.getMessage().contains("update_interval '1h30min'"), refused.getMessage());
    assertFalse(Files.exists(tmp.resolve("out")), "nothing written");
  }

  @Test
  void withoutTheParameterTheDefaultStays() throws IOException {
    Guest guest = schedule(null);
    assertEquals(0, guest.exitCode(), guest.output());
    assertEquals(null, guest.dropIn());
    assertTrue(
        guest.status().contains("schedule:    15 min after boot, then every 6 h (the default)"),
        guest.status());
  }

  /** What one run of {@code schedule}, then {@code status}, left. */
  record Guest(int exitCode, String output, String dropIn, List<String> systemctl, String status) {}

  /**
   * @param interval the parameter file's content (the config disk's bytes), or null for none
   */
  private Guest schedule(String interval) throws IOException {
    assumeTrue(HostTools.isRoot(), "a private mount namespace needs root");
    Path dir = Files.createTempDirectory(tmp, "guest-");
    Files.writeString(dir.resolve("cmdline"), "root=PARTUUID=x appliance.slot=a rw\n");
    Path log = FakeSystemctl.log(dir);
    Path bin = FakeSystemctl.install(dir);
    if (interval != null) {
      Files.writeString(dir.resolve("interval"), interval);
    }
    String d = dir.toString();
    String script =
        String.join(
            "\n",
            "set -e",
            "mount --bind " + d + "/cmdline /proc/cmdline",
            "mount -t tmpfs tmpfs /run",
            "mkdir -p /run/appliance/params /run/appliance/.state/update /run/appliance/.state/slots",
            interval == null ? ":" : "cp " + d + "/interval /run/appliance/params/update_interval",
            "rc=0",
            "PATH=" + bin + ":$PATH sh " + SCRIPT + " schedule > " + d + "/out 2>&1 || rc=$?",
            "D=/run/systemd/system/appliance-update.timer.d",
            "[ ! -e $D/interval.conf ] || cp $D/interval.conf " + d + "/dropin",
            "ls -A $D 2>/dev/null | grep -v '^interval.conf$' > " + d + "/strays || true",
            "PATH=" + bin + ":$PATH sh " + SCRIPT + " status > " + d + "/status",
            "exit $rc",
            "");
    Files.writeString(dir.resolve("guest.sh"), script);
    HostTool.Result result =
        HostTool.runAllowingFailure(
            List.of("unshare", "-m", "sh", dir.resolve("guest.sh").toString()), dir, Map.of());
    assertEquals("", Files.readString(dir.resolve("strays")), "no other file in the drop-in dir");
    return new Guest(
        result.exitCode(),
        Files.readString(dir.resolve("out")) + result.stderr(),
        Files.exists(dir.resolve("dropin")) ? Files.readString(dir.resolve("dropin")) : null,
        Files.exists(log) ? Files.readAllLines(log) : List.of(),
        Files.readString(dir.resolve("status")));
  }
}
