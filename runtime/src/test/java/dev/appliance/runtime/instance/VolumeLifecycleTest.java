package dev.appliance.runtime.instance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.ApplianceDirs;
import dev.appliance.common.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Named volumes from creation to removal, with real instances of the test appliance that are
 * created but never booted (attaching is what matters here). The volumes live in this test's own
 * data directory: the shared one holds other test runs' volumes, which a prune must not touch.
 */
class VolumeLifecycleTest {
  private InstanceManager manager;
  private BootImageResolver images;

  @BeforeEach
  void ownDataAndState(@TempDir Path dir) throws IOException {
    ApplianceDirs shared = TestImage.dirs();
    images = TestImage.resolver(shared); // the test image from the shared store
    manager = new InstanceManager(new ApplianceDirs(dir.resolve("data"), dir.resolve("state")));
  }

  private void create(String instance, String... volumes) {
    manager.create(
        Guests.request(instance, "uml", List.of(), Map.of(), Map.of(), List.of(volumes)),
        images,
        line -> {});
  }

  @Test
  void volumesInUseAreKeptUnusedOnesCanBeRemovedOrPruned() {
    create("keeper", "data:/srv/data");
    create("passing", "spare:/srv/spare", "scratch:/tmp/scratch");
    manager.remove("passing", false);

    List<VolumeInfo> all = manager.volumes();
    assertEquals(List.of("data", "scratch", "spare"), all.stream().map(VolumeInfo::name).toList());
    assertEquals(List.of("keeper"), all.get(0).instances());
    assertEquals(
        List.of(), all.get(2).instances(), "rm of the instance kept its volume, now unused");
    for (VolumeInfo v : all) {
      assertEquals(16L << 30, v.capacityBytes());
      assertTrue(v.bytesOnDisk() > 0 && v.bytesOnDisk() < 1L << 30, "sparse: " + v);
    }

    InvalidInputException inUse =
        assertThrows(
            InvalidInputException.class, () -> manager.removeVolumes(List.of("spare", "data")));
    assertEquals(
        "volume data is used by instance keeper (created): remove that instance first (appliance rm keeper)",
        inUse.getMessage());
    InvalidInputException unknown =
        assertThrows(
            InvalidInputException.class,
            () -> manager.removeVolumes(List.of("spare", "nothing-here")));
    assertEquals("no volume named nothing-here (see appliance volume ls)", unknown.getMessage());
    assertEquals(3, manager.volumes().size(), "a refused rm removes none of the names");

    assertEquals(
        List.of("spare"),
        manager.removeVolumes(List.of("spare")).stream().map(VolumeInfo::name).toList());
    assertFalse(Files.exists(all.get(2).disk()));
    assertEquals(
        List.of("scratch"), manager.pruneVolumes().stream().map(VolumeInfo::name).toList());
    assertEquals(List.of("data"), manager.volumes().stream().map(VolumeInfo::name).toList());
    assertTrue(Files.exists(all.get(0).disk()), "prune keeps a volume a stopped instance attaches");

    manager.remove("keeper", false);
    assertEquals(
        List.of("data"),
        manager.removeVolumes(List.of("data")).stream().map(VolumeInfo::name).toList());
    assertEquals(List.of(), manager.volumes());
    assertEquals(List.of(), manager.pruneVolumes());
  }

  @Test
  void aVolumeNameCannotReachOutsideTheVolumeDirectory() {
    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> manager.removeVolumes(List.of("../state")));
    assertEquals("no volume named ../state (see appliance volume ls)", e.getMessage());
  }
}
