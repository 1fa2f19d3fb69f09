package dev.appliance.runtime.engine;

import dev.appliance.common.HostTools;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * The host end of one capture interface: a {@code vde_plug} on the interface's point-to-point
 * socket, in stream mode (each frame a two-byte big-endian length and the frame), confined like an
 * engine (the instance directory, no host network). Frames written with {@link #send} reach the
 * guest's interface; frames the guest sends out of it are only counted ({@link #guestFrames}) and
 * dropped: a capture interface never carries traffic anywhere.
 */
public final class CapturePort implements AutoCloseable {
  private final String name;
  private final Process plug;
  private final OutputStream toGuest;
  private final AtomicLong guestFrames = new AtomicLong();
  private final Thread reader;

  private CapturePort(String name, Process plug, Consumer<String> events) {
    this.name = name;
    this.plug = plug;
    this.toGuest = new BufferedOutputStream(plug.getOutputStream(), 1 << 16);
    this.reader = new Thread(() -> countGuestFrames(events), "capture-" + name);
    reader.setDaemon(true);
    reader.start();
  }

  /** The socket of network {@code name} in the instance directory. */
  public static Path socket(Path workDir, String name) {
    return workDir.resolve("net-" + name + ".sock").toAbsolutePath();
  }

  /**
   * Starts the plug and waits for its socket, before the engine that joins it starts.
   *
   * @param events told when the guest sends out of the interface
   */
  public static CapturePort open(String name, ProcessStarter starter, Consumer<String> events)
      throws IOException {
    Path workDir = starter.workDir();
    Path socket = socket(workDir, name);
    Files.deleteIfExists(socket);
    Files.deleteIfExists(socket.resolveSibling(socket.getFileName() + "+"));
    Path vdePlug =
        HostTools.find(SlirpNetwork.VDE_PLUG)
            .orElseThrow(() -> new IOException(SlirpNetwork.VDE_PLUG + " is not installed"));
    String log = "net-" + name + ".log";
    Process plug =
        starter.startStreaming(
            List.of(vdePlug.toString(), "ptp://" + socket),
            workDir.resolve(log),
            Confinement.engine(List.of(workDir), List.of(), List.of()));
    try {
      SlirpNetwork.awaitSocket(plug, socket, log);
      return new CapturePort(name, plug, events);
    } catch (IOException | RuntimeException e) {
      plug.destroyForcibly();
      throw e;
    }
  }

  public String name() {
    return name;
  }

  /** Frames the guest sent out of this interface since it started (all dropped). */
  public long guestFrames() {
    return guestFrames.get();
  }

  /** Sends one Ethernet frame (at most 65535 bytes) to the guest. */
  public synchronized void send(byte[] frame) throws IOException {
    if (frame.length > 0xffff) {
      throw new IllegalArgumentException("frame of " + frame.length + " bytes");
    }
    toGuest.write(frame.length >>> 8);
    toGuest.write(frame.length & 0xff);
    toGuest.write(frame);
  }

  /** Hands buffered frames to the plug. */
  public synchronized void flush() throws IOException {
    toGuest.flush();
  }

  private void countGuestFrames(Consumer<String> events) {
    try (DataInputStream in = new DataInputStream(plug.getInputStream())) {
      while (true) {
        int length = in.readUnsignedShort();
        in.skipNBytes(length);
        if (guestFrames.incrementAndGet() == 1) {
          events.accept(
              "the guest sent a frame out of its capture interface "
                  + name
                  + " (dropped: a capture interface only receives)");
        }
      }
    } catch (EOFException e) {
      // the plug ended
    } catch (IOException e) {
      // the plug ended
    }
  }

  @Override
  public void close() {
    plug.destroyForcibly();
    try {
      reader.join(2000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
