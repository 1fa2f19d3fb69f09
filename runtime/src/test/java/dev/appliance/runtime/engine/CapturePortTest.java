package dev.appliance.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.DataInputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The capture interface's host end with the real vde_plug; a second vde_plug joins its socket in
 * place of the engine (the same point-to-point protocol UML's vector driver and QEMU speak).
 */
class CapturePortTest {
  @TempDir Path dir;

  @Test
  void framesReachTheGuestIntactAndWhatTheGuestSendsIsOnlyCounted() throws Exception {
    List<String> events = new ArrayList<>();
    ProcessStarter starter = new ProcessStarter(dir, Sandbox.NONE);
    try (CapturePort port = CapturePort.open("capture", starter, events::add)) {
      Process guest =
          new ProcessBuilder("vde_plug", "ptp://" + CapturePort.socket(dir, "capture"))
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      try {
        Thread.sleep(300); // the joining plug announces itself
        byte[] small = frame(60, 1);
        byte[] large = frame(1514, 2);
        port.send(small);
        port.send(large);
        port.flush();
        DataInputStream fromPort = new DataInputStream(guest.getInputStream());
        assertArrayEquals(small, fromPort.readNBytes(fromPort.readUnsignedShort()));
        assertArrayEquals(large, fromPort.readNBytes(fromPort.readUnsignedShort()));
        assertEquals(0, port.guestFrames(), "nothing sent by the guest yet");

        OutputStream toPort = guest.getOutputStream();
        for (int i = 0; i < 3; i++) {
          byte[] f = frame(64, 9);
          toPort.write(new byte[] {0, (byte) f.length});
          toPort.write(f);
        }
        toPort.flush();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (port.guestFrames() < 3 && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        assertEquals(3, port.guestFrames());
        assertEquals(1, events.size(), "one event, at the first frame: " + events);
      } finally {
        guest.destroyForcibly();
      }
    }
  }

  private static byte[] frame(int length, int fill) {
    byte[] f = new byte[length];
    Arrays.fill(f, (byte) fill);
    return f;
  }
}
