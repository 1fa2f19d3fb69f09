package dev.appliance.common;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ApplianceDirsTest {
  @Test
  void homeIsHomeFromTheEnvironmentAsXdgSaysSoARootlessReRunKeepsTheUsersDirs() {
    // In the user namespace the process is uid 0, whose passwd home is /root; $HOME is still the
    // user's.
    Path home = ApplianceDirs.home(Map.of("HOME", "/home/alice"));
    assertEquals(Path.of("/home/alice"), home);
    ApplianceDirs dirs = ApplianceDirs.from(Map.of(), home);
    assertEquals(Path.of("/home/alice/.local/share/appliance"), dirs.data());
    assertEquals(Path.of("/home/alice/.local/state/appliance"), dirs.state());
  }

  @Test
  void withoutAnAbsoluteHomeThePasswordDatabaseDecides() {
    assertEquals(Path.of(System.getProperty("user.home")), ApplianceDirs.home(Map.of()));
    assertEquals(
        Path.of(System.getProperty("user.home")), ApplianceDirs.home(Map.of("HOME", "relative")));
  }

  @Test
  void xdgDirectoriesAndApplianceHomeWin() {
    Path home = Path.of("/home/alice");
    assertEquals(
        Path.of("/data/appliance"),
        ApplianceDirs.from(Map.of("XDG_DATA_HOME", "/data"), home).data());
    assertEquals(
        Path.of("/opt/a/data"),
        ApplianceDirs.from(Map.of("APPLIANCE_HOME", "/opt/a"), home).data());
  }
}
