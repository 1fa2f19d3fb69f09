package dev.appliance.runtime.net;

import dev.appliance.common.InvalidInputException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A request to publish a guest port: {@code GUEST}, {@code HOST:GUEST} or {@code ADDR:HOST:GUEST},
 * each optionally followed by {@code /tcp} or {@code /udp}. Without an address the port is
 * published on 127.0.0.1 only; without a host port a free one is picked at run time (host port 0
 * here).
 */
public record PortMapping(String address, int hostPort, int guestPort, String protocol) {
  public static final String LOOPBACK = "127.0.0.1";

  private static final Pattern SPEC =
      Pattern.compile(
          "(?:(?:(?<addr>[0-9.]+|\\[[0-9a-fA-F:]+]|localhost):)?(?<host>\\d+):)?(?<guest>\\d+)(?:/(?<proto>tcp|udp))?");

  /**
   * Parses one {@code [[ADDR:]HOST:]GUEST[/PROTO]} value; the message names the value and what is
   * wrong.
   */
  public static PortMapping parse(String spec) {
    Matcher m = SPEC.matcher(spec.strip().toLowerCase(Locale.ROOT));
    if (!m.matches()) {
      throw new InvalidInputException(
          "port mapping "
              + spec
              + ": expected GUEST, HOST:GUEST or ADDR:HOST:GUEST"
              + " (optionally /tcp or /udp), e.g. 8080:80");
    }
    String addr = m.group("addr") == null ? LOOPBACK : m.group("addr");
    if (addr.equals("localhost")) {
      addr = LOOPBACK;
    }
    if (addr.startsWith("[")) {
      addr = addr.substring(1, addr.length() - 1);
    }
    int host = m.group("host") == null ? 0 : port(spec, m.group("host"), "host");
    int guest = port(spec, m.group("guest"), "guest");
    return new PortMapping(addr, host, guest, m.group("proto") == null ? "tcp" : m.group("proto"));
  }

  private static int port(String spec, String digits, String which) {
    int value;
    try {
      value = Integer.parseInt(digits);
    } catch (NumberFormatException e) {
      value = -1;
    }
    if (value < 1 || value > 65535) {
      throw new InvalidInputException(
          "port mapping "
              + spec
              + ": "
              + which
              + " port "
              + digits
              + " is not between 1 and 65535");
    }
    return value;
  }
}
