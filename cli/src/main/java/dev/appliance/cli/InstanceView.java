package dev.appliance.cli;

import dev.appliance.oci.MetadataRules;
import dev.appliance.runtime.instance.ImageChange;
import dev.appliance.runtime.instance.InstanceInfo;
import dev.appliance.runtime.net.PublishedPort;
import java.io.PrintWriter;
import java.util.List;
import java.util.stream.Collectors;

/** How instances look on the terminal and in --json. */
final class InstanceView {
  private InstanceView() {}

  /** After run/start: URLs on stdout (one per line), or the instance as JSON. */
  static void printStarted(
      InstanceInfo info, OutputOptions output, PrintWriter out, PrintWriter err) {
    if (output.json) {
      out.println(Json.write(InstanceJson.of(info)));
      return;
    }
    if (!output.quiet) {
      err.println(info.name() + " is up on " + info.engine());
      err.flush();
    }
    info.urls().forEach(out::println);
    out.flush();
  }

  /** An instance in --json: the published ports without the internal ones. */
  record InstanceJson(
      String name,
      String image,
      String engine,
      String state,
      boolean healthy,
      List<Port> ports,
      List<String> urls,
      String message,
      List<String> events) {
    static InstanceJson of(InstanceInfo info) {
      return new InstanceJson(
          info.name(),
          info.image(),
          info.engine(),
          info.state(),
          info.healthy(),
          info.ports().stream().filter(p -> !p.internal()).map(Port::of).toList(),
          info.urls(),
          info.message(),
          info.events());
    }
  }

  record Port(String address, int hostPort, int guestPort, String protocol) {
    static Port of(PublishedPort p) {
      return new Port(p.address(), p.hostPort(), p.guestPort(), p.protocol());
    }
  }

  /** {@code inspect INSTANCE}: the instance, then its image history, oldest first. */
  static void printHistory(
      InstanceInfo info, List<ImageChange> history, OutputOptions output, PrintWriter out) {
    if (output.json) {
      out.println(Json.write(new InstanceHistoryJson(InstanceJson.of(info), history)));
      out.flush();
      return;
    }
    out.println("Instance: " + info.name());
    out.println("Image:    " + info.image());
    out.println("State:    " + info.state() + (info.healthy() ? " (healthy)" : ""));
    out.println("History:");
    String format = "  %-20s %-15s %-28s %-19s %s%n";
    out.printf(format, "AT", "OUTCOME", "IMAGE", "DIGEST", "DATA");
    for (ImageChange c : history) {
      out.printf(
          format,
          c.at(),
          c.outcome(),
          c.image(),
          c.digest() == null ? "-" : c.digest().substring(0, Math.min(19, c.digest().length())),
          c.dataVersion() + (c.message() == null ? "" : "  " + MetadataRules.escaped(c.message())));
    }
    out.flush();
  }

  /** {@code inspect INSTANCE --json}. */
  record InstanceHistoryJson(InstanceJson instance, List<ImageChange> history) {}

  static void table(List<InstanceInfo> instances, PrintWriter out) {
    String format = "%-24s %-28s %-7s %-9s %s%n";
    out.printf(format, "NAME", "IMAGE", "ENGINE", "STATE", "PORTS");
    for (InstanceInfo i : instances) {
      String state = i.state().equals("running") && !i.healthy() ? "booting" : i.state();
      out.printf(
          format,
          i.name(),
          i.image(),
          i.engine() == null ? "-" : i.engine(),
          state,
          i.ports().stream()
              .filter(p -> !p.internal())
              .map(PublishedPort::describe)
              .collect(Collectors.joining(", ")));
    }
    out.flush();
  }
}
