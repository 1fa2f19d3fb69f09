package dev.appliance.runtime.capture;

import dev.appliance.common.InvalidInputException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * What feeds a capture interface ({@code --capture-from}): {@code pcap:FILE[,rate=recorded|max]} or
 * {@code iface:NAME}. Parsed and checked before anything starts; {@link #toString()} gives the form
 * back (an instance keeps it across stop and start).
 */
public sealed interface CaptureSource {
  /** A Linux interface name; it reaches tcpdump as one argument of its own, never a shell. */
  Pattern INTERFACE = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.:-]{0,14}");

  /**
   * A pcap file replayed once per boot, after the appliance is healthy.
   *
   * @param recordedRate keep the gaps between packets as recorded; false: as fast as the guest
   *     takes them
   */
  record Pcap(Path file, boolean recordedRate) implements CaptureSource {
    @Override
    public String toString() {
      return "pcap:" + file + ",rate=" + (recordedRate ? "recorded" : "max");
    }
  }

  /** A live host interface, read with tcpdump (needs root or CAP_NET_RAW). */
  record Interface(String name) implements CaptureSource {
    @Override
    public String toString() {
      return "iface:" + name;
    }
  }

  /**
   * Parses and checks a source: the pcap file exists and is a valid pcap (every record is read),
   * the interface exists on this host and this user may capture on it.
   *
   * @throws InvalidInputException naming the problem
   */
  static CaptureSource parse(String text) {
    if (text.startsWith("pcap:")) {
      String rest = text.substring("pcap:".length());
      boolean recorded = true;
      if (rest.endsWith(",rate=max")) {
        recorded = false;
        rest = rest.substring(0, rest.length() - ",rate=max".length());
      } else if (rest.endsWith(",rate=recorded")) {
        rest = rest.substring(0, rest.length() - ",rate=recorded".length());
      } else if (rest.matches(".*,rate=[^,/]*")) {
        throw new InvalidInputException(
            "capture source '" + text + "': rate must be recorded or max");
      }
      if (rest.isEmpty()) {
        throw new InvalidInputException("capture source '" + text + "': no file after pcap:");
      }
      Path file = Path.of(rest).toAbsolutePath().normalize();
      if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
        throw new InvalidInputException(
            "capture source '" + text + "': " + file + " is not a readable file");
      }
      PcapFile.check(file);
      return new Pcap(file, recorded);
    }
    if (text.startsWith("iface:")) {
      String name = text.substring("iface:".length());
      if (!INTERFACE.matcher(name).matches()) {
        throw new InvalidInputException(
            "capture source '"
                + text
                + "': not an interface name (letters, digits, _.:-, at most 15)");
      }
      if (!Files.exists(Path.of("/sys/class/net", name))) {
        throw new InvalidInputException(
            "capture source '" + text + "': this host has no interface named " + name);
      }
      if (!HostCapture.allowed()) {
        throw new InvalidInputException(
            "capture source '"
                + text
                + "': capturing on a host interface needs root or CAP_NET_RAW"
                + " (a pcap file works without: pcap:FILE)");
      }
      return new Interface(name);
    }
    throw new InvalidInputException(
        "capture source '" + text + "': expected pcap:FILE[,rate=recorded|max] or iface:NAME");
  }
}
