package dev.appliance.runtime.engine;

import java.util.List;

/**
 * The processes of one running boot.
 *
 * @param main the engine process; its standard output is the guest console
 * @param helpers processes the engine needs (network plug), stopped after it
 * @param shutdown asks the guest to power off cleanly; returns at once
 */
public record EngineRun(Process main, List<Process> helpers, ShutdownRequest shutdown) {
  public EngineRun {
    helpers = List.copyOf(helpers);
  }

  /** A guest's "please power off" button. */
  @FunctionalInterface
  public interface ShutdownRequest {
    /**
     * @throws Exception when the request could not be delivered; the caller then forces
     */
    void send() throws Exception;
  }

  /** Kills the engine and its helpers at once (the forced end of a stop, or a failed start). */
  public void kill() {
    main.descendants().forEach(ProcessHandle::destroyForcibly);
    main.destroyForcibly();
    helpers.forEach(Process::destroyForcibly);
  }
}
