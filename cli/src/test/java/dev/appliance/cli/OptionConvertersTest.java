package dev.appliance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.runtime.export.ExportFormat;
import dev.appliance.runtime.instance.VolumeMount;
import dev.appliance.runtime.net.PortMapping;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.TypeConversionException;

/** Options become typed values before any library call; a bad one is exit 2 naming the option. */
class OptionConvertersTest {
  @Test
  void memoryIsMebibytesAndABareNumberStaysMebibytes() {
    MemoryConverter memory = new MemoryConverter();
    assertEquals(1024L, memory.convert("1G"));
    assertEquals(2048L, memory.convert("2GiB"));
    assertEquals(512L, memory.convert("512M"));
    assertEquals(512L, memory.convert("512"));
    for (String bad : List.of("", "12Q", "1.5G", "-1G", "1T", "9999999999999G")) {
      TypeConversionException e =
          assertThrows(TypeConversionException.class, () -> memory.convert(bad));
      assertTrue(e.getMessage().contains("'" + bad + "' is not a memory size"), e.getMessage());
    }
  }

  @Test
  void portsAndVolumesBecomeTheRuntimeTypes() {
    assertEquals(
        new PortMapping("127.0.0.1", 8080, 80, "tcp"),
        new PortMappingConverter().convert("8080:80"));
    assertEquals(
        new VolumeMount("data", "/var/lib/mysql"),
        new VolumeMountConverter().convert("data:/var/lib/mysql"));
    assertThrows(
        TypeConversionException.class, () -> new PortMappingConverter().convert("8080:80/sctp"));
    assertThrows(
        TypeConversionException.class, () -> new VolumeMountConverter().convert("../x:/a"));
  }

  @Test
  void aBadValueIsAUsageErrorNamingTheOptionBeforeAnythingRuns() {
    assertUsageError("option '--memory'", "run", "--memory", "lots", "lamp:1.0.0");
    assertUsageError("option '--publish'", "run", "-p", "80:80:80:80", "lamp:1.0.0");
    assertUsageError("option '--volume'", "run", "--volume", "nocolon", "lamp:1.0.0");
    assertUsageError("(option --cpus)", "run", "--cpus", "0", "lamp:1.0.0");
  }

  @Test
  void exportFormatIsTypedAndLibvirtNeedsADisk() {
    assertEquals(ExportFormat.QCOW2, new ExportFormatConverter().convert("QCOW2"));
    assertUsageError("option '--format'", "export", "--format", "vhd", "web:1.0");
    assertUsageError(
        "--libvirt needs --format raw or qcow2",
        "export",
        "--format",
        "ova",
        "--libvirt",
        "web:1.0");
  }

  private static void assertUsageError(String expected, String... args) {
    StringWriter err = new StringWriter();
    CommandLine cli = Main.commandLine();
    cli.setOut(new PrintWriter(new StringWriter()));
    cli.setErr(new PrintWriter(err));
    assertEquals(2, cli.execute(args), err.toString());
    assertTrue(err.toString().contains(expected), err.toString());
    assertTrue(
        err.toString().contains("Try 'appliance " + args[0] + " --help'"),
        "a usage error, not a failure: " + err);
  }
}
