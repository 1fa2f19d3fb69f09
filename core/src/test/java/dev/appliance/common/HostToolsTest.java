package dev.appliance.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class HostToolsTest {
  @Test
  void findsProgramsOnThePath() {
    Path sh = HostTools.find("sh").orElseThrow();
    assertTrue(sh.isAbsolute(), sh.toString());
    assertEquals(Path.of("sh"), sh.getFileName());
    assertEquals(Optional.empty(), HostTools.find("no-such-program-here"));
  }

  @Test
  void missingProgramIsAGapNamingItsPackage() {
    HostCheck check = HostTools.tool("x.none", "no-such-program-here", "some-package", "do things");
    assertFalse(check.ok());
    assertTrue(check.detail().contains("no-such-program-here"), check.detail());
    assertTrue(
        check.fix().endsWith("apt-get install -y --no-install-recommends some-package"),
        check.fix());
    assertEquals(!HostTools.isRoot(), check.fix().startsWith("sudo "), check.fix());
  }

  @Test
  void presentProgramIsOkWithoutAFix() {
    HostCheck check = HostTools.tool("x.sh", "sh", "dash", "run scripts");
    assertTrue(check.ok());
    assertNull(check.fix());
  }

  @Test
  void aGapMustSayHowToCloseIt() {
    assertThrows(NullPointerException.class, () -> HostCheck.gap("x", "missing", null));
  }

  @Test
  void rootIsDetectedFromTheProcessNotTheName() {
    assertEquals("root".equals(System.getProperty("user.name")), HostTools.isRoot());
  }
}
