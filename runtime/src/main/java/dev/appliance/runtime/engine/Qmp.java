package dev.appliance.runtime.engine;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.Channels;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/** Just enough of QEMU's machine protocol to ask a guest to power off. */
final class Qmp {
  private Qmp() {}

  /**
   * Presses the ACPI power button and Ctrl-Alt-Del: systemd powers off on either (the image maps
   * ctrl-alt-del.target to poweroff; the button needs logind).
   */
  static void powerDown(Path socket) throws IOException {
    try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.UNIX)) {
      channel.connect(UnixDomainSocketAddress.of(socket));
      BufferedReader in =
          new BufferedReader(
              new InputStreamReader(Channels.newInputStream(channel), StandardCharsets.UTF_8));
      OutputStream out = Channels.newOutputStream(channel);
      in.readLine(); // greeting
      command(in, out, "{\"execute\":\"qmp_capabilities\"}");
      command(in, out, "{\"execute\":\"system_powerdown\"}");
      command(
          in,
          out,
          "{\"execute\":\"send-key\",\"arguments\":{\"keys\":["
              + "{\"type\":\"qcode\",\"data\":\"ctrl\"},{\"type\":\"qcode\",\"data\":\"alt\"},"
              + "{\"type\":\"qcode\",\"data\":\"delete\"}]}}");
    }
  }

  private static void command(BufferedReader in, OutputStream out, String json) throws IOException {
    out.write((json + "\n").getBytes(StandardCharsets.UTF_8));
    out.flush();
    for (String line; (line = in.readLine()) != null; ) {
      if (line.contains("\"return\"")) {
        return;
      }
      if (line.contains("\"error\"")) {
        throw new IOException("QMP " + json + ": " + line);
      }
      // anything else is an asynchronous event: skip it
    }
    throw new IOException("QMP connection closed");
  }
}
