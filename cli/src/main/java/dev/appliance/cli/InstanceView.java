package dev.appliance.cli;

import dev.appliance.runtime.instance.InstanceInfo;
import dev.appliance.runtime.net.PublishedPort;

import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** How instances look on the terminal and in --json. */
final class InstanceView {
    private InstanceView() {}

    /** After run/start: URLs on stdout (one per line), or the instance as JSON. */
    static void printStarted(InstanceInfo info, OutputOptions output, PrintWriter out, PrintWriter err) {
        if (output.json) {
            out.println(Json.write(json(info)));
            return;
        }
        if (!output.quiet) {
            err.println(info.name() + " is up on " + info.engine());
            err.flush();
        }
        info.urls().forEach(out::println);
        out.flush();
    }

    static Map<String, Object> json(InstanceInfo info) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("name", info.name());
        json.put("image", info.image());
        json.put("engine", info.engine());
        json.put("state", info.state());
        json.put("healthy", info.healthy());
        json.put("ports", info.ports().stream().filter(p -> !p.internal()).map(p -> Map.of(
                "address", p.address(), "hostPort", p.hostPort(), "guestPort", p.guestPort(), "protocol", p.protocol()))
                .toList());
        json.put("urls", info.urls());
        json.put("message", info.message());
        json.put("events", info.events());
        return json;
    }

    static void table(List<InstanceInfo> instances, PrintWriter out) {
        String format = "%-24s %-28s %-7s %-9s %s%n";
        out.printf(format, "NAME", "IMAGE", "ENGINE", "STATE", "PORTS");
        for (InstanceInfo i : instances) {
            String state = i.state().equals("running") && !i.healthy() ? "booting" : i.state();
            out.printf(format, i.name(), i.image(), i.engine() == null ? "-" : i.engine(), state,
                    i.ports().stream().filter(p -> !p.internal()).map(PublishedPort::describe).collect(Collectors.joining(", ")));
        }
        out.flush();
    }
}
