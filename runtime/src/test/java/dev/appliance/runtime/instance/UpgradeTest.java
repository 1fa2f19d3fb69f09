package dev.appliance.runtime.instance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.ApplianceDirs;
import dev.appliance.common.ApplianceException;
import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.ApplianceMetadata;
import dev.appliance.oci.DataFormat;
import dev.appliance.runtime.disk.TestLayer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code upgrade} and {@code rollback} on real UML guests of the test appliance with a volume on
 * /var/lib/demo (where each boot appends a line to {@code boots}). Three derived images: {@code v1}
 * declares data version 1 with a hook that appends "FROM TO" to the volume's {@code upgrades};
 * {@code broken} has the same data version and a health check that never passes (30 s).
 */
class UpgradeTest {
  private static final String HOOK = "/usr/local/bin/demo-data-upgrade";

  /** Shows the volume's upgrade log and which image serves. */
  private static final String PREPARE =
      "#!/bin/sh\nset -eu\n/usr/local/bin/demo-prepare\n"
          + "cat /var/lib/demo/upgrades > /srv/www/upgrades 2>/dev/null || echo none >"
          + " /srv/www/upgrades\ncat /etc/demo-image > /srv/www/image\n";

  private ApplianceDirs dirs;
  private InstanceManager manager;
  private BootImageResolver images;
  private final List<String> progress = new ArrayList<>();

  @BeforeEach
  void ownDataAndState(@TempDir Path dir) throws Exception {
    ApplianceDirs shared = TestImage.dirs();
    images = TestImage.resolver(shared);
    dirs = new ApplianceDirs(dir.resolve("data"), dir.resolve("state"));
    manager = new InstanceManager(dirs);
  }

  @AfterEach
  void removeInstance() {
    try {
      manager.remove("up", true);
    } catch (InvalidInputException gone) {
      // not created
    }
  }

  private static String image(ApplianceDirs shared, String name, String hook, String health)
      throws Exception {
    TestLayer layer =
        new TestLayer()
            .file("etc/demo-image", name + "\n")
            .file(
                "usr/local/bin/demo-data-upgrade",
                "#!/bin/sh\nset -eu\necho \"$1 $2\" >> /var/lib/demo/upgrades\n",
                0755,
                0,
                0)
            .file("usr/local/bin/demo-prepare-wrapper", PREPARE, 0755, 0, 0)
            .file(
                "etc/systemd/system/demo-web.service.d/wrapper.conf",
                "[Service]\nExecStartPre=\nExecStartPre=/usr/local/bin/demo-prepare-wrapper\n");
    return DerivedImage.store(
        shared,
        "runtime-test-" + name,
        layer,
        b ->
            DerivedImage.metadata(
                b,
                "runtime-test-" + name,
                name,
                b.ports(),
                new ApplianceMetadata.HealthCheck("http", 80, health, 200, 30)),
        hook == null ? Map.of() : Map.of(DataFormat.LABEL, new DataFormat(1, hook).toLabel()));
  }

  @Test
  void upgradeKeepsTheVolumeRunsTheHookOnceAndABrokenImageIsRolledBack() throws Exception {
    ApplianceDirs shared = TestImage.dirs();
    String v1 = image(shared, "v1", HOOK, "/healthz");
    String broken = image(shared, "broken", HOOK, "/never-there");

    InstanceInfo info = runWithVolume();
    assertEquals(1, lines(Guests.get(info, "/boots")));

    info = manager.upgrade("up", v1, images, false, null, this::progress);
    assertEquals("v1", Guests.get(info, "/image"));
    assertEquals(2, lines(Guests.get(info, "/boots")), "the volume came along");
    assertEquals("0 1", Guests.get(info, "/upgrades"), "the hook ran from version 0 to 1");
    assertTrue(
        manager.volumes().stream().anyMatch(v -> v.name().equals("data.pre-upgrade")),
        "the snapshot is listed as a volume");
    String upgraded = last("upgraded up to ");
    assertTrue(upgraded.contains("(stop to healthy)"), upgraded);

    progress.clear();
    ApplianceException failed =
        assertThrows(
            ApplianceException.class,
            () -> manager.upgrade("up", broken, images, false, null, this::progress));
    assertTrue(
        failed.getMessage().contains("did not become healthy within 30 s"), failed.getMessage());
    assertTrue(failed.getMessage().contains("HTTP 404"), "the last probe error: " + failed);
    assertTrue(
        failed.getMessage().contains("rolled back: up runs " + v1 + " again"), failed.getMessage());
    info = manager.info("up");
    assertEquals(v1, info.image());
    assertTrue(info.healthy());
    assertEquals("v1", Guests.get(info, "/image"));
    assertEquals(
        3, lines(Guests.get(info, "/boots")), "the broken image's boot was undone by the restore");
    assertEquals("0 1", Guests.get(info, "/upgrades"), "the hook ran once");
    String rolledBack = last("rolled back in ");
    assertEquals(
        List.of("created", "upgraded", "upgrade-failed", "rolled-back"),
        manager.history("up").stream().map(ImageChange::outcome).toList());
    assertEquals(1, manager.history("up").get(1).dataVersion());

    InvalidInputException refused =
        assertThrows(
            InvalidInputException.class, () -> manager.rollback("up", false, null, line -> {}));
    String message = refused.getMessage();
    assertTrue(message.contains("volume data holds data version 1"), message);
    assertTrue(message.contains("reads data version 0"), message);
    assertTrue(message.contains("the snapshot data.pre-upgrade"), message);
    assertTrue(manager.info("up").healthy(), "a refused rollback leaves the instance running");

    progress.clear();
    info = manager.rollback("up", true, null, this::progress);
    assertEquals(TestImage.REFERENCE, info.image());
    assertEquals(
        2,
        lines(Guests.get(info, "/boots")),
        "the volume as it was before the first upgrade, plus this boot");
    System.out.println("upgrade (stop to healthy): " + upgraded);
    System.out.println("automatic rollback: " + rolledBack);
    System.out.println("rollback command: " + last("rolled back up to "));
  }

  @Test
  void anInterruptedUpgradeRollsBack() throws Exception {
    String v1 = image(TestImage.dirs(), "v1", HOOK, "/healthz");
    InstanceInfo info = runWithVolume();
    Thread caller = Thread.currentThread();
    ApplianceException failed =
        assertThrows(
            ApplianceException.class,
            () ->
                manager.upgrade(
                    "up",
                    v1,
                    images,
                    false,
                    null,
                    line -> {
                      progress(line);
                      if (line.startsWith("booting ")) {
                        caller.interrupt(); // what the CLI's Ctrl-C handler does
                      }
                    }));
    assertTrue(Thread.interrupted(), "the caller's interrupt is kept for it to see");
    assertTrue(failed.getMessage().contains("interrupted by the user"), failed.getMessage());
    assertTrue(
        failed.getMessage().contains("rolled back: up runs " + TestImage.REFERENCE + " again"),
        failed.getMessage());
    info = manager.info("up");
    assertEquals(TestImage.REFERENCE, info.image());
    assertTrue(info.healthy());
    assertEquals(2, lines(Guests.get(info, "/boots")), "the first boot and the rollback's");
    assertEquals(
        List.of("created", "upgrade-failed", "rolled-back"),
        manager.history("up").stream().map(ImageChange::outcome).toList());
  }

  /** The test appliance as instance "up" with the volume "data" on /var/lib/demo. */
  private InstanceInfo runWithVolume() {
    return manager.run(
        Guests.request(
            "up", "uml", List.of("80"), Map.of(), Map.of(), List.of("data:/var/lib/demo")),
        images,
        false,
        Guests.BOOT_TIMEOUT,
        Guests::progress);
  }

  private void progress(String line) {
    progress.add(line);
    Guests.progress(line);
  }

  private String last(String prefix) {
    return progress.stream()
        .filter(l -> l.startsWith(prefix))
        .reduce((a, b) -> b)
        .orElseThrow(() -> new AssertionError("no progress line " + prefix + " in " + progress));
  }

  private static int lines(String text) {
    return text.isBlank() ? 0 : text.split("\n").length;
  }

  @Test
  void aVolumeAtANewerDataVersionRefusesAnOlderImage(@TempDir Path dir) throws Exception {
    VolumeStore volumes = new VolumeStore(dirs);
    volumes.ensure("newer");
    volumes.recordDataVersion("newer", 3, "app:3");
    InvalidInputException refused =
        assertThrows(
            InvalidInputException.class,
            () ->
                manager.create(
                    Guests.request(
                        "up", "uml", List.of("80"), Map.of(), Map.of(), List.of("newer:/srv")),
                    images,
                    line -> {}));
    assertTrue(
        refused
            .getMessage()
            .startsWith(
                "volume newer holds data version 3 (written by app:3), but runtime-test:1 reads"
                    + " data version 0"),
        refused.getMessage());
    assertTrue(refused.getMessage().contains("a backup of it made before version 3"));
    assertTrue(Files.notExists(dirs.instances().resolve("up")), "nothing half-created");
  }
}
