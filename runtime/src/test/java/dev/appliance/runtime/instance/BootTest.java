package dev.appliance.runtime.instance;

import dev.appliance.common.ApplianceDirs;
import dev.appliance.common.FileTrees;
import java.io.IOException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;

/**
 * Base of the tests that boot the real test appliance: a fresh state directory per test (the store
 * and caches are shared), every instance removed afterwards.
 */
@Tag("engine")
abstract class BootTest {
  ApplianceDirs dirs;
  InstanceManager manager;

  @BeforeEach
  void freshState() throws IOException {
    dirs = TestImage.dirs();
    manager = new InstanceManager(dirs);
  }

  @AfterEach
  void removeInstances() {
    for (InstanceInfo i : manager.list()) {
      manager.remove(i.name(), true);
    }
    FileTrees.delete(dirs.state());
  }
}
