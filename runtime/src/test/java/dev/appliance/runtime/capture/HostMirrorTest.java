package dev.appliance.runtime.capture;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.appliance.runtime.engine.CapturePort;
import dev.appliance.runtime.engine.ProcessStarter;
import dev.appliance.runtime.engine.Sandbox;
import java.io.DataInputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --capture-from iface:lo} with the real tcpdump: a datagram sent on the host's loopback
 * reaches the capture interface's other end (a vde_plug in place of the guest). Runs only where the
 * user may capture (root or CAP_NET_RAW), as the feature itself.
 */
class HostMirrorTest {
  @TempDir Path dir;

  @Test
  void framesOnTheHostInterfaceReachTheCaptureInterface() throws Exception {
    assumeTrue(HostCapture.allowed(), "needs root or CAP_NET_RAW");
    List<String> events = new CopyOnWriteArrayList<>();
    ProcessStarter starter = new ProcessStarter(dir, Sandbox.NONE);
    try (CapturePort port = CapturePort.open("capture", starter, events::add)) {
      Process guest =
          new ProcessBuilder("vde_plug", "ptp://" + CapturePort.socket(dir, "capture"))
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      try {
        Thread.sleep(300);
        new CaptureFeed(CaptureSource.parse("iface:lo"), port, starter, events::add).start();
        byte[] marker = ("appliance-mirror-" + ProcessHandle.current().pid()).getBytes();
        AtomicBoolean seen = new AtomicBoolean();
        Thread reader =
            new Thread(
                () -> {
                  try (DataInputStream in = new DataInputStream(guest.getInputStream())) {
                    while (!seen.get()) {
                      byte[] frame = in.readNBytes(in.readUnsignedShort());
                      if (new String(frame, StandardCharsets.ISO_8859_1)
                          .contains(new String(marker, StandardCharsets.ISO_8859_1))) {
                        seen.set(true);
                      }
                    }
                  } catch (Exception e) {
                    // the plug ended
                  }
                });
        reader.setDaemon(true);
        reader.start();
        try (DatagramSocket s = new DatagramSocket()) {
          long deadline = System.nanoTime() + 20_000_000_000L;
          while (!seen.get() && System.nanoTime() < deadline) {
            s.send(new DatagramPacket(marker, marker.length, InetAddress.getLoopbackAddress(), 9));
            Thread.sleep(200); // tcpdump needs a moment to start capturing
          }
        }
        assertTrue(seen.get(), "the datagram on lo reached the capture interface; " + events);
      } finally {
        guest.destroyForcibly();
      }
    }
  }
}
