package dev.appliance.runtime.capture;

import dev.appliance.common.HostTools;
import dev.appliance.runtime.engine.CapturePort;
import dev.appliance.runtime.engine.Confinement;
import dev.appliance.runtime.engine.ProcessStarter;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.function.Consumer;

/**
 * Feeds one capture interface from its {@link CaptureSource} on a thread of its own: a pcap file
 * replayed once, at its recorded pace or as fast as the guest takes the frames (the socket's
 * back-pressure paces it), or a host interface mirrored through tcpdump until the instance stops.
 * Every frame is checked by {@link PcapFile} on the way; the first bad record ends the feed.
 */
public final class CaptureFeed {
  private final CaptureSource source;
  private final CapturePort port;
  private final ProcessStarter starter;
  private final Consumer<String> events;

  public CaptureFeed(
      CaptureSource source, CapturePort port, ProcessStarter starter, Consumer<String> events) {
    this.source = source;
    this.port = port;
    this.starter = starter;
    this.events = events;
  }

  /** Starts feeding; the thread ends with the source or when the port closes. */
  public Thread start() {
    Thread t = new Thread(this::run, "feed-" + port.name());
    t.setDaemon(true);
    t.start();
    return t;
  }

  private void run() {
    try {
      if (source instanceof CaptureSource.Pcap p) {
        replay(p);
      } else if (source instanceof CaptureSource.Interface i) {
        mirror(i);
      }
    } catch (IOException | RuntimeException e) {
      events.accept(
          "capture " + port.name() + ": feeding from " + source + " stopped: " + e.getMessage());
    }
  }

  private void replay(CaptureSource.Pcap p) throws IOException {
    long started = System.nanoTime();
    long frames = 0;
    long bytes = 0;
    try (PcapFile pcap = new PcapFile(Files.newInputStream(p.file()), p.file().toString())) {
      long first = -1;
      for (PcapFile.Frame f; (f = pcap.next()) != null; ) {
        if (p.recordedRate()) {
          if (first < 0) {
            first = f.timestampNanos();
          }
          long due = started + (f.timestampNanos() - first);
          long wait = due - System.nanoTime();
          if (wait > 1_000_000) {
            port.flush();
            sleepNanos(wait);
          }
        }
        port.send(f.data());
        frames++;
        bytes += f.data().length;
      }
      port.flush();
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    events.accept(
        String.format(
            "capture %s: replayed %d frames (%d bytes) from %s in %.2f s",
            port.name(), frames, bytes, p.file(), seconds));
  }

  private void mirror(CaptureSource.Interface i) throws IOException {
    String tcpdump =
        HostTools.find("tcpdump")
            .orElseThrow(() -> new IOException("tcpdump is not installed (Debian package tcpdump)"))
            .toString();
    // A host tool, not the image's: it runs with the user's capture right (the sandbox drops every
    // capability); its output is checked like any pcap.
    Process dump =
        starter
            .withoutSandbox()
            .startStreaming(
                HostCapture.command(tcpdump, i.name()),
                starter.workDir().resolve("net-" + port.name() + ".log"),
                Confinement.networkHelper(starter.workDir()));
    dump.getOutputStream().close();
    events.accept("capture " + port.name() + ": mirroring host interface " + i.name());
    long frames = 0;
    try (InputStream out = dump.getInputStream();
        PcapFile pcap = new PcapFile(out, "tcpdump -i " + i.name())) {
      for (PcapFile.Frame f; (f = pcap.next()) != null; ) {
        port.send(f.data());
        port.flush();
        frames++;
      }
    } finally {
      dump.destroyForcibly();
      events.accept(
          "capture "
              + port.name()
              + ": mirror of "
              + i.name()
              + " ended after "
              + frames
              + " frames");
    }
  }

  private static void sleepNanos(long nanos) {
    try {
      Thread.sleep(nanos / 1_000_000, (int) (nanos % 1_000_000));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
