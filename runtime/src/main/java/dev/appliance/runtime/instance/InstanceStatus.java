package dev.appliance.runtime.instance;

import java.util.ArrayList;
import java.util.List;

/**
 * What an instance is doing now; written by its supervisor (or by the CLI when no supervisor
 * lives), atomically.
 *
 * @param engine the engine of the current or last boot, or null
 * @param supervisorPid the supervisor process while there is one, else 0
 * @param healthy the health check has passed during the current boot
 * @param message the last notable thing: why it failed, why it stopped
 * @param events engine choices, fallbacks and their reasons, oldest first
 */
public record InstanceStatus(
    State state,
    String engine,
    long supervisorPid,
    boolean healthy,
    String message,
    List<String> events,
    String updated) {

  public enum State {
    CREATED,
    STARTING,
    RUNNING,
    STOPPING,
    STOPPED,
    FAILED;

    /** A supervisor should be alive in this state. */
    public boolean active() {
      return this == STARTING || this == RUNNING || this == STOPPING;
    }

    public String id() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public InstanceStatus {
    events = List.copyOf(events);
  }

  static InstanceStatus created() {
    return new InstanceStatus(State.CREATED, null, 0, false, null, List.of(), Clock.now());
  }

  InstanceStatus with(State newState, String newMessage) {
    return new InstanceStatus(
        newState,
        engine,
        newState.active() ? supervisorPid : 0,
        newState == State.RUNNING && healthy,
        newMessage,
        events,
        Clock.now());
  }

  InstanceStatus withEngine(String newEngine) {
    return new InstanceStatus(state, newEngine, supervisorPid, false, message, events, Clock.now());
  }

  InstanceStatus withSupervisor(long pid) {
    return new InstanceStatus(state, engine, pid, healthy, message, events, Clock.now());
  }

  InstanceStatus markHealthy() {
    return new InstanceStatus(
        State.RUNNING, engine, supervisorPid, true, null, events, Clock.now());
  }

  InstanceStatus withEvent(String event) {
    List<String> all = new ArrayList<>(events);
    all.add(event);
    // Keep the list short across many restarts.
    List<String> recent = all.subList(Math.max(0, all.size() - 50), all.size());
    return new InstanceStatus(state, engine, supervisorPid, healthy, message, recent, Clock.now());
  }

  /** Timestamps in status files: UTC, to the second. */
  static final class Clock {
    private Clock() {}

    static String now() {
      return java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString();
    }
  }
}
