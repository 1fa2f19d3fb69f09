package dev.appliance.runtime.instance;

import java.util.List;

/** What {@code ps} shows of an instance, read from its spec and status. */
final class InstanceInfos {
  private InstanceInfos() {}

  static InstanceInfo read(InstanceDir dir) {
    InstanceSpec spec = dir.spec();
    InstanceStatus status = dir.status();
    String state = status.state().id();
    if (status.state().active() && !InstanceProcesses.isOurs(status.supervisorPid(), dir.path())) {
      state = "dead";
    }
    List<String> urls =
        spec.ports().stream()
            .filter(p -> !p.internal() && p.protocol().equals("tcp"))
            .map(
                p ->
                    (p.guestPort() == 443 ? "https" : "http")
                        + "://"
                        + p.connectAddress()
                        + ":"
                        + p.hostPort()
                        + "/")
            .toList();
    return new InstanceInfo(
        spec.name(),
        spec.image(),
        status.engine(),
        state,
        status.healthy() && state.equals("running"),
        spec.ports(),
        urls,
        status.message(),
        status.events());
  }
}
