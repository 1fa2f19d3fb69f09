package dev.appliance.runtime.engine;

import dev.appliance.common.HostTools;
import dev.appliance.runtime.net.PublishedPort;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The guest's user-mode network for every engine: one {@code vde_plug} process running libslirp
 * with the published ports as host forwards, joined to the engine by a point-to-point VDE socket in
 * the instance directory (UML's vector driver, QEMU's {@code -netdev vde}). It is the only process
 * of an instance with host network access, so the engine itself runs without any. By default
 * libslirp's {@code disable_host_loopback} stops the guest reaching the host's 127.0.0.1 through
 * the gateway 10.0.2.2 (other instances' ports, local registries and databases); outbound
 * connections to other hosts stay open.
 */
public final class SlirpNetwork {
  static final String VDE_PLUG = "vde_plug";
  static final String SLIRP_PLUGIN = "/usr/lib/x86_64-linux-gnu/vdeplug/libvdeplug_slirp.so";
  private static final String SOCKET = "vde.sock";

  private SlirpNetwork() {}

  /** Why the network helper cannot run here, or empty. */
  static Optional<String> unavailable() {
    if (HostTools.find(VDE_PLUG).isEmpty()) {
      return Optional.of(VDE_PLUG + " is not installed (Debian package vdeplug)");
    }
    if (!Files.exists(Path.of(SLIRP_PLUGIN))) {
      return Optional.of(
          "the slirp plugin for vde_plug is not installed (Debian package libvdeplug-slirp)");
    }
    return Optional.empty();
  }

  /** The socket an engine joins (UML {@code vnl=ptp://}, QEMU {@code sock=ptp://}). */
  static Path socket(BootSpec spec) {
    return spec.workDir().resolve(SOCKET).toAbsolutePath();
  }

  /** Starts the helper confined to the instance directory and waits for its socket. */
  static Process start(BootSpec spec, ProcessStarter starter) throws IOException {
    Path socket = socket(spec);
    Files.deleteIfExists(socket);
    Files.deleteIfExists(socket.resolveSibling(SOCKET + "+"));
    Path vdePlug =
        HostTools.find(VDE_PLUG).orElseThrow(() -> new IOException(unavailable().orElseThrow()));
    Process plug =
        starter.startLogged(
            List.of(
                vdePlug.toString(),
                "ptp://" + socket,
                slirpUrl(spec.ports(), spec.allowHostLoopback())),
            spec.workDir().resolve("network.log"),
            Confinement.networkHelper(spec.workDir()));
    try {
      awaitSocket(plug, socket, "network.log");
      return plug;
    } catch (IOException | RuntimeException e) {
      plug.destroyForcibly();
      throw e;
    }
  }

  static String slirpUrl(List<PublishedPort> ports, boolean allowHostLoopback) {
    StringBuilder url = new StringBuilder("slirp://");
    if (!allowHostLoopback) {
      url.append("/disable_host_loopback");
    }
    for (String protocol : List.of("tcp", "udp")) {
      String forwards =
          ports.stream()
              .filter(p -> p.protocol().equals(protocol))
              .map(
                  p ->
                      p.address()
                          + ":"
                          + p.hostPort()
                          + ":"
                          + BootSpec.GUEST_ADDRESS
                          + ":"
                          + p.guestPort())
              .collect(Collectors.joining(","));
      if (!forwards.isEmpty()) {
        url.append('/').append(protocol).append("fwd=").append(forwards);
      }
    }
    return url.toString();
  }

  /** Waits until {@code plug} created {@code socket}; {@code log} is where it says why not. */
  static void awaitSocket(Process plug, Path socket, String log) throws IOException {
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (!Files.exists(socket)) {
      if (!plug.isAlive()) {
        throw new IOException(
            "vde_plug exited ("
                + plug.exitValue()
                + ") before creating its socket;"
                + " see "
                + log
                + " in the instance directory");
      }
      if (System.nanoTime() > deadline) {
        throw new IOException("vde_plug did not create " + socket + " within 5 s");
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
    }
  }
}
