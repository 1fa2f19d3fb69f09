package dev.appliance.runtime.net;

import dev.appliance.common.ApplianceException;
import dev.appliance.common.InvalidInputException;
import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Turns {@code -p} requests into concrete host ports before anything boots: an explicit port must
 * be free now (a clear error otherwise, rather than an engine failing half-way), a missing one is
 * picked by the kernel.
 */
public final class PortAllocator {
  private PortAllocator() {}

  /**
   * @param requests what the user asked for
   * @param healthPort the guest port the health check needs reachable, or 0; published on a free
   *     loopback port when no request covers it
   */
  public static List<PublishedPort> allocate(List<PortMapping> requests, int healthPort) {
    List<PublishedPort> result = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (PortMapping r : requests) {
      int hostPort = r.hostPort() == 0 ? freePort(r.address(), r.protocol()) : r.hostPort();
      if (!seen.add(r.protocol() + " " + hostPort)) {
        throw new InvalidInputException(
            "host port " + hostPort + "/" + r.protocol() + " is published twice");
      }
      if (r.hostPort() != 0) {
        checkFree(r.address(), hostPort, r.protocol());
      }
      result.add(new PublishedPort(r.address(), hostPort, r.guestPort(), r.protocol(), false));
    }
    boolean healthCovered =
        result.stream().anyMatch(p -> p.guestPort() == healthPort && p.protocol().equals("tcp"));
    if (healthPort > 0 && !healthCovered) {
      result.add(
          new PublishedPort(
              PortMapping.LOOPBACK,
              freePort(PortMapping.LOOPBACK, "tcp"),
              healthPort,
              "tcp",
              true));
    }
    return List.copyOf(result);
  }

  /** Fails with a message naming the address and port when it cannot be bound now. */
  public static void checkFree(String address, int port, String protocol) {
    try {
      bind(address, port, protocol);
    } catch (IOException e) {
      throw new ApplianceException(
          "port "
              + address
              + ":"
              + port
              + "/"
              + protocol
              + " is already in use (another program or appliance listens there): choose another host port"
              + " with -p, or -p GUEST to pick a free one");
    }
  }

  private static int freePort(String address, String protocol) {
    try {
      return bind(address, 0, protocol);
    } catch (IOException e) {
      throw new ApplianceException(
          "cannot find a free port on " + address + ": " + e.getMessage(), e);
    }
  }

  private static int bind(String address, int port, String protocol) throws IOException {
    InetSocketAddress where = new InetSocketAddress(InetAddress.getByName(address), port);
    if (protocol.equals("udp")) {
      try (DatagramSocket socket = new DatagramSocket(where)) {
        return socket.getLocalPort();
      }
    }
    try (ServerSocket socket = new ServerSocket()) {
      // SO_REUSEADDR as the engines use it: connections of a stopped instance in
      // TIME_WAIT do not block, a live listener on the port still does (Linux).
      socket.setReuseAddress(true);
      socket.bind(where);
      return socket.getLocalPort();
    }
  }
}
