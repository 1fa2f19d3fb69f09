package dev.appliance.runtime.engine;

import java.io.IOException;
import java.util.Optional;

/** One way to boot an appliance. Implementations are stateless. */
public interface Engine {
  EngineKind kind();

  /**
   * Why this engine cannot boot {@code spec} here, found without starting anything (a missing
   * kernel in the image, a missing host tool); empty when it can try.
   */
  Optional<String> unavailable(BootSpec spec);

  /**
   * Creates the instance's disk overlay if it does not exist yet and starts the engine's processes
   * through {@code starter}. The returned run's main process writes the guest console to its
   * standard output.
   */
  EngineRun start(BootSpec spec, ProcessStarter starter) throws IOException;

  /**
   * A console line that means the engine failed for good even though its process may stay alive
   * (QEMU pauses after a KVM internal error).
   */
  default Optional<String> fatalError(String consoleLine) {
    return Optional.empty();
  }
}
