package dev.appliance.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AptSourcesTest {
  @TempDir Path root;

  @Test
  void picksTheMainMirrorOfTheHostReleaseFromDeb822() throws Exception {
    Files.createDirectories(root.resolve("etc/apt/sources.list.d"));
    Files.writeString(root.resolve("etc/os-release"), "ID=debian\nVERSION_CODENAME=bookworm\n");
    Files.writeString(
        root.resolve("etc/apt/sources.list.d/debian.sources"),
        """
                Types: deb
                URIs: http://security.example/debian-security
                Suites: bookworm-security
                Components: main

                Types: deb deb-src
                # a comment
                URIs: http://mirror.example/debian/
                Suites: bookworm bookworm-updates
                Components: main
                """);
    assertEquals("http://mirror.example/debian", AptSources.read(root).debianMirror());
  }

  @Test
  void readsOneLineSourcesAndSkipsDisabledStanzas() throws Exception {
    Files.createDirectories(root.resolve("etc/apt/sources.list.d"));
    Files.writeString(
        root.resolve("etc/apt/sources.list.d/off.sources"),
        "Types: deb\nURIs: http://off.example/debian\nSuites: trixie\nEnabled: no\n");
    Files.writeString(
        root.resolve("etc/apt/sources.list"),
        "# old style\ndeb [arch=amd64 signed-by=/x.gpg] http://old.example/debian trixie main\n");
    assertEquals("http://old.example/debian", AptSources.read(root).debianMirror());
  }

  @Test
  void noSourcesIsAClearError() {
    var e =
        assertThrows(
            dev.appliance.common.ApplianceException.class,
            () -> AptSources.read(root).debianMirror());
    assertTrue(e.getMessage().contains("no Debian mirror found"), e.getMessage());
    assertEquals(java.util.Optional.of(BuildRemedy.NAME_MIRROR), e.remedy());
  }
}
