package dev.appliance.runtime.instance;

import dev.appliance.runtime.net.PublishedPort;
import java.util.List;

/**
 * One line of {@code appliance ps}.
 *
 * @param state created, starting, running, stopping, stopped, failed, or dead (its supervisor
 *     vanished without recording a stop)
 * @param urls what the user can open: one URL per published TCP port
 */
public record InstanceInfo(
    String name,
    String image,
    String engine,
    String state,
    boolean healthy,
    List<PublishedPort> ports,
    List<String> urls,
    String message,
    List<String> events) {}
