package dev.appliance.runtime.instance;

import dev.appliance.common.ApplianceException;
import dev.appliance.runtime.engine.Bubblewrap;
import dev.appliance.runtime.host.RunRemedy;
import java.util.function.Consumer;

/**
 * Decides, when an instance is created, whether its engines run sandboxed. An image from a registry
 * is untrusted: where the host cannot sandbox, {@code run} refuses it unless the user passed {@code
 * --no-sandbox}. A local build is the user's own code: it runs unconfined there, with a warning.
 */
final class SandboxPolicy {
  private SandboxPolicy() {}

  /**
   * @return true when engines run unconfined
   */
  static boolean unconfined(
      Bubblewrap.Support host, BootImage image, boolean noSandbox, Consumer<String> progress) {
    if (noSandbox) {
      progress.accept(
          "warning: running without the sandbox as asked: the engines of "
              + image.reference()
              + " run unconfined, with access to everything your user can read and write");
      return true;
    }
    if (host.sandbox().isPresent()) {
      return false;
    }
    if (image.fromRegistry()) {
      throw new ApplianceException(
          "refusing to run "
              + image.reference()
              + ": it came from a registry and"
              + " engines cannot be sandboxed on this host ("
              + host.problem()
              + "). Fix: "
              + host.fix()
              + " (see `appliance doctor`)",
          RunRemedy.RUN_UNSANDBOXED);
    }
    progress.accept(
        "warning: engines cannot be sandboxed on this host ("
            + host.problem()
            + "); running the"
            + " local build "
            + image.reference()
            + " unconfined. Fix: "
            + host.fix());
    return true;
  }
}
