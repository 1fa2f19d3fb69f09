package dev.appliance.runtime.net;

/**
 * A host port forwarded into the guest, as an instance uses it.
 *
 * @param internal true for a port the runtime published only to run the health check (the user did
 *     not ask for it)
 */
public record PublishedPort(
    String address, int hostPort, int guestPort, String protocol, boolean internal) {

  /** Where a client on this host connects: a wildcard address means loopback. */
  public String connectAddress() {
    return address.equals("0.0.0.0") || address.equals("::") ? PortMapping.LOOPBACK : address;
  }

  /** e.g. {@code 127.0.0.1:8080->80/tcp}. */
  public String describe() {
    String host = address.contains(":") ? "[" + address + "]" : address;
    return host + ":" + hostPort + "->" + guestPort + "/" + protocol;
  }
}
