package dev.appliance.builder;

import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

/**
 * What every rootfs step needs to know about the build.
 *
 * @param mirror Debian mirror URI
 * @param aptOptions {@code Key=Value} apt options carried over from the host
 * @param sourceDateEpoch seconds; clamps mtimes and makes tools reproducible
 * @param debCache downloaded .deb files (by name, and by SHA-256 under sha256/)
 * @param aptLists apt's package lists, shared between builds
 * @param log receives tool output lines (shown with --verbose)
 * @param userNamespace whether the build runs in a rootless {@link UserNamespace}
 */
record BuildEnvironment(
    String mirror,
    List<String> aptOptions,
    long sourceDateEpoch,
    Path debCache,
    Path aptLists,
    Consumer<String> log,
    boolean userNamespace) {
  BuildEnvironment {
    aptOptions = List.copyOf(aptOptions);
  }
}
