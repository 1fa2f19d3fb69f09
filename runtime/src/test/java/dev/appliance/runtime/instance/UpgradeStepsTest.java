package dev.appliance.runtime.instance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.ApplianceDirs;
import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.DataFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The steps of an upgrade on files only, without a guest or root: the instance's image slots, the
 * volume snapshots and the data-version rules.
 */
class UpgradeStepsTest {
  private Path root;
  private VolumeStore volumes;

  @BeforeEach
  void store(@TempDir Path dir) {
    root = dir;
    volumes = new VolumeStore(new ApplianceDirs(dir.resolve("data"), dir.resolve("state")));
  }

  /** A volume whose "disk" is a small file with {@code content}, at data version {@code v}. */
  private void volume(String name, String content, int v) throws Exception {
    Path dir = Files.createDirectories(root.resolve("data/volumes").resolve(name));
    Files.writeString(dir.resolve("disk.ext4"), content);
    Files.writeString(dir.resolve("uuid"), "uuid-of-" + name + "\n");
    if (v > 0) {
      volumes.recordDataVersion(name, v, "app:" + v);
    }
  }

  private String disk(String name) throws Exception {
    return Files.readString(volumes.disk(name));
  }

  private static InstanceSpec spec(String image, String baseDisk, DataFormat data) {
    return new InstanceSpec(
        "web",
        image,
        "sha256:" + "0".repeat(64),
        "uml",
        256,
        1,
        List.of(),
        List.of(new InstanceSpec.VolumeMount("db", "/var/lib/db", "uuid-of-db")),
        null,
        "",
        baseDisk,
        null,
        null,
        null,
        List.of(),
        "2026-01-01T00:00:00Z",
        false,
        false,
        List.of(),
        null,
        data,
        null,
        List.of());
  }

  @Test
  void aFailedUpgradeGetsTheVolumeAndTheOldOverlayBackASuccessfulOneKeepsTheSnapshot()
      throws Exception {
    volume("db", "before", 0);
    VolumeSnapshots snapshots = new VolumeSnapshots(volumes);
    InstanceDir dir = new InstanceDir(Files.createDirectories(root.resolve("state/instances/web")));
    dir.writeSpec(spec("app:1", dir.path().resolve("base.img").toString(), null));
    Files.writeString(dir.path().resolve("disk.cow"), "old overlay");
    Path config = dir.configDisk();
    Files.writeString(config, "app:1's config");
    ImageSlots slots = new ImageSlots(dir);

    snapshots.take(List.of("db"));
    slots.stage(spec("app:2", dir.path().resolve("base-2.img").toString(), null));
    assertEquals("app:2", dir.spec().image());
    assertFalse(Files.exists(dir.path().resolve("disk.cow")), "the new image starts afresh");
    assertFalse(Files.exists(config), "the new image gets a config disk of its own");
    Files.writeString(volumes.disk("db"), "written by app:2");
    Files.writeString(dir.path().resolve("disk.cow"), "new overlay");
    Files.writeString(config, "app:2's config");

    snapshots.restore(List.of("db"));
    slots.revert();
    assertEquals("before", disk("db"));
    assertEquals("app:1", dir.spec().image());
    assertEquals("old overlay", Files.readString(dir.path().resolve("disk.cow")));
    assertEquals("app:1's config", Files.readString(config));
    assertTrue(slots.previous().isEmpty());
    assertFalse(volumes.exists("db.pre-upgrade"), "no snapshot kept from a failed upgrade");

    snapshots.take(List.of("db"));
    slots.stage(spec("app:2", dir.path().resolve("base-2.img").toString(), null));
    Files.writeString(volumes.disk("db"), "written by app:2");
    Files.writeString(config, "app:2's config");
    slots.commit();
    snapshots.keep(List.of("db"));
    assertEquals("app:2", dir.spec().image());
    assertEquals("app:1", slots.previous().orElseThrow().image());
    assertEquals("before", disk("db.pre-upgrade"), "the snapshot is a volume of its own");
    assertEquals("written by app:2", disk("db"));

    slots.swap();
    assertEquals("app:1", dir.spec().image(), "rollback: previous and current change places");
    assertEquals("old overlay", Files.readString(dir.path().resolve("disk.cow")));
    assertEquals("app:1's config", Files.readString(config), "each image boots its own config");
    assertEquals("app:2", slots.previous().orElseThrow().image());
    slots.swap();
    assertEquals("app:2's config", Files.readString(config));
    slots.swap();

    snapshots.restoreKept(List.of("db"));
    assertEquals("before", disk("db"));
    assertEquals("before", disk("db.pre-upgrade"), "a restore keeps the snapshot");
  }

  @Test
  void dataVersionsDecideTheHookAndRefuseOlderImages() throws Exception {
    volume("db", "x", 1);
    volume("logs", "y", 0);
    DataVersions versions = new DataVersions(volumes);
    DataFormat v2 = new DataFormat(2, "/usr/lib/app/upgrade");

    assertEquals(0, versions.pendingUpgrade("web", "app:2", v2, List.of("db", "logs", "new")));
    assertNull(
        versions.pendingUpgrade("web", "app:2", new DataFormat(2, null), List.of("db")),
        "no hook: nothing to run");
    assertNull(versions.pendingUpgrade("web", "app:1", new DataFormat(1, "/h"), List.of("db")));

    InvalidInputException refused =
        assertThrows(
            InvalidInputException.class,
            () -> versions.pendingUpgrade("web", "app:0", null, List.of("logs", "db")));
    assertTrue(
        refused
            .getMessage()
            .startsWith(
                "volume db holds data version 1 (written by app:1), but app:0 reads data version 0"),
        refused.getMessage());
    assertTrue(refused.getMessage().contains("a backup of it made before version 1"));

    volume("db.pre-upgrade", "older", 0);
    InvalidInputException withSnapshot =
        assertThrows(
            InvalidInputException.class,
            () -> versions.pendingUpgrade("web", "app:0", null, List.of("db")));
    assertTrue(
        withSnapshot.getMessage().contains("the snapshot db.pre-upgrade (data version 0)"),
        withSnapshot.getMessage());
    assertEquals(
        java.util.Optional.of(dev.appliance.runtime.host.RunRemedy.RESTORE_SNAPSHOT),
        withSnapshot.remedy());

    versions.recordHealthy(spec("app:2", "/base.img", v2));
    assertEquals(2, volumes.dataVersion("db"));
    assertEquals("app:2", volumes.dataVersionWriter("db"));
  }

  @Test
  void aSnapshotNameMustBeAValidVolumeName() {
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class, () -> VolumeSnapshots.checkNames(List.of("v".repeat(60))));
    assertTrue(e.getMessage().contains("too long for a snapshot"), e.getMessage());
  }
}
