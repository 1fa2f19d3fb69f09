package dev.appliance.runtime.capture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Live capture from a host interface with tcpdump: its pcap output on standard output is read like
 * a file (and checked like one). Only for a user who may capture (root or CAP_NET_RAW); the guest
 * never sends through it, since nothing goes from the guest to tcpdump.
 */
final class HostCapture {
  private static final long CAP_NET_RAW = 1L << 13;

  private HostCapture() {}

  /** Whether this process may open a packet socket: root, or CAP_NET_RAW in effect. */
  static boolean allowed() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("CapEff:")) {
          return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & CAP_NET_RAW) != 0;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return false;
    }
    return false;
  }

  /**
   * tcpdump writing every frame of {@code iface} (promiscuous, whole frames up to {@link
   * PcapFile#MAX_FRAME}) to standard output as soon as it sees it.
   */
  static List<String> command(String tcpdump, String iface) {
    return List.of(
        tcpdump,
        "-i",
        iface,
        "-n",
        "-s",
        Integer.toString(PcapFile.MAX_FRAME),
        "--immediate-mode",
        "-U",
        "-w",
        "-");
  }
}
