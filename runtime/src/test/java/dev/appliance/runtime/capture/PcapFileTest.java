package dev.appliance.runtime.capture;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A pcap is untrusted input: every way it can be malformed is refused, naming where. */
class PcapFileTest {
  @TempDir Path dir;

  private Path write(byte[] content) throws IOException {
    return Files.write(dir.resolve("in.pcap"), content);
  }

  private String refused(byte[] content) throws IOException {
    Path file = write(content);
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> PcapFile.check(file));
    assertTrue(e.getMessage().startsWith(file + ": "), e.getMessage());
    return e.getMessage();
  }

  @Test
  void framesComeBackWithTheirTimesAndTheSummaryCountsThem() throws IOException {
    byte[] a = Pcaps.ethernet(60, (byte) 1);
    byte[] b = Pcaps.ethernet(1514, (byte) 2);
    Path file = write(new Pcaps().frame(100, 250_000, a).frame(101, 500_000, b).bytes());
    try (PcapFile pcap = new PcapFile(Files.newInputStream(file), "t")) {
      PcapFile.Frame first = pcap.next();
      assertEquals(100_250_000_000L, first.timestampNanos());
      assertArrayEquals(a, first.data());
      assertArrayEquals(b, pcap.next().data());
      assertEquals(null, pcap.next());
    }
    assertEquals(new PcapFile.Summary(2, 60 + 1514, 1_250_000_000L), PcapFile.check(file));
  }

  @Test
  void malformedFilesAreRefusedNamingTheRecordAndOffset() throws IOException {
    byte[] frame = Pcaps.ethernet(60, (byte) 3);
    assertTrue(refused(new byte[10]).contains("too short for a pcap header"));
    assertTrue(refused("not a pcap at all, just text".getBytes()).contains("is not a pcap file"));
    byte[] pcapng = new byte[28];
    pcapng[0] = 0x0a;
    pcapng[1] = 0x0d;
    pcapng[2] = 0x0d;
    pcapng[3] = 0x0a;
    assertTrue(refused(pcapng).contains("is pcapng"));
    assertTrue(
        refused(new Pcaps(113).frame(1, 0, frame).bytes())
            .contains("link type 113, only Ethernet (1)"));
    byte[] whole = new Pcaps().frame(1, 0, frame).frame(2, 0, frame).bytes();
    assertTrue(
        refused(Arrays.copyOf(whole, whole.length - 5))
            .contains("record 2 at byte 100: truncated frame (60 bytes announced)"));
    assertTrue(
        refused(Arrays.copyOf(whole, 24 + 16 + 60 + 7))
            .contains("record 2 at byte 100: truncated record header"));
    assertTrue(
        refused(new Pcaps().record(1, 0, 70_000, new byte[0]).bytes())
            .contains("record 1 at byte 24: frame of 70000 bytes"));
    assertTrue(
        refused(new Pcaps().record(1, 0, 0x7fffffff, new byte[0]).bytes())
            .contains("frame of 2147483647 bytes"),
        "a huge length is refused before any allocation");
    assertTrue(refused(new Pcaps().frame(1, 0, new byte[8]).bytes()).contains("frame of 8 bytes"));
    assertTrue(
        refused(new Pcaps().frame(1, 2_000_000, frame).bytes())
            .contains("timestamp fraction 2000000 is out of range"));
  }

  @Test
  void sourcesAreParsedAndCheckedBeforeUse() throws IOException {
    Path file = write(new Pcaps().frame(1, 0, Pcaps.ethernet(60, (byte) 0)).bytes());
    assertEquals(new CaptureSource.Pcap(file, true), CaptureSource.parse("pcap:" + file));
    assertEquals(
        new CaptureSource.Pcap(file, false), CaptureSource.parse("pcap:" + file + ",rate=max"));
    assertEquals(
        "pcap:" + file + ",rate=max",
        CaptureSource.parse("pcap:" + file + ",rate=max").toString(),
        "kept in the instance and parsed again at each start");
    for (String bad :
        new String[] {
          "pcap:" + file + ",rate=fast",
          "pcap:",
          "pcap:" + dir.resolve("missing.pcap"),
          "iface:eth0;rm -rf /",
          "iface:-i",
          "iface:no-such-nic0",
          "file:" + file
        }) {
      assertThrows(InvalidInputException.class, () -> CaptureSource.parse(bad), bad);
    }
  }
}
