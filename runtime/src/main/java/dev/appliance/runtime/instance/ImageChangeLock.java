package dev.appliance.runtime.instance;

import dev.appliance.common.FileLocks;
import dev.appliance.common.InvalidInputException;

/**
 * Held while an instance's image changes ({@code upgrade}, {@code rollback}): a second command on
 * the same instance is refused rather than interleaved. A {@link FileLocks} lock, released by the
 * kernel if the process dies.
 */
final class ImageChangeLock {
  private ImageChangeLock() {}

  static FileLocks.Held acquire(InstanceDir dir) {
    return FileLocks.tryExclusive(dir.path().resolve(".image-change.lock"))
        .orElseThrow(
            () ->
                new InvalidInputException(
                    dir.name()
                        + " is being upgraded or rolled back by another command: wait for it"));
  }
}
