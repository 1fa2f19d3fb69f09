package dev.appliance.runtime.instance;

import dev.appliance.common.ApplianceException;

/** Polling waits that turn an interrupt into an error, keeping the interrupt flag. */
final class Pause {
  private Pause() {}

  static void millis(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApplianceException("interrupted", e);
    }
  }
}
