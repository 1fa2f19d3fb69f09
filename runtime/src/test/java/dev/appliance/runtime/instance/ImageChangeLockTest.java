package dev.appliance.runtime.instance;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.FileLocks;
import dev.appliance.common.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A second upgrade or rollback of one instance is refused at once, and can go once the first ends.
 */
class ImageChangeLockTest {
  @TempDir Path root;

  @Test
  void aSecondImageChangeIsRefusedWhileTheFirstHoldsTheLock() throws Exception {
    InstanceDir dir = instance();
    try (FileLocks.Held first = ImageChangeLock.acquire(dir)) {
      InvalidInputException refused =
          CompletableFuture.supplyAsync(
                  () ->
                      assertThrows(InvalidInputException.class, () -> ImageChangeLock.acquire(dir)))
              .get(10, TimeUnit.SECONDS);
      assertTrue(
          refused.getMessage().contains("web is being upgraded or rolled back"),
          refused.getMessage());
    }
    try (FileLocks.Held again = ImageChangeLock.acquire(dir)) {
      // released by the first: taken again without waiting
    }
  }

  private InstanceDir instance() throws IOException {
    return new InstanceDir(Files.createDirectories(root.resolve("state/instances/web")));
  }
}
