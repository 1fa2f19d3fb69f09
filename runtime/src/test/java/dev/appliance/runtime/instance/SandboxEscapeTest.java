package dev.appliance.runtime.instance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.ApplianceDirs;
import dev.appliance.common.ApplianceException;
import dev.appliance.registry.LoopbackListener;
import dev.appliance.registry.ProgramImages;
import dev.appliance.registry.RegistryOptions;
import dev.appliance.registry.TransferListener;
import dev.appliance.runtime.engine.Bubblewrap;
import dev.appliance.store.ImageStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An image whose UML "kernel" is a hostile program (src/test/resources/sandbox/ escape-probe.c,
 * compiled here and packed into a real image in a real store, with the host's loader and libc as
 * the image's) run through {@code run} on the uml engine: in its sandbox it can neither read a file
 * in the user's home, nor write outside its instance directory, nor connect to a host loopback
 * port, and {@code run} reports the engine's failure.
 */
@Tag("engine")
class SandboxEscapeTest {
  private static final String IMAGE = "escape-probe:1";
  private static final Path SOURCE =
      Path.of("src/test/resources/sandbox/escape-probe.c").toAbsolutePath();

  @TempDir Path temp;
  private Path homeFile;
  private ApplianceDirs dirs;
  private InstanceManager manager;

  @BeforeEach
  void setUp() throws IOException {
    // In the home directory proper, where secrets (~/.ssh, ~/.docker/config.json) live.
    homeFile =
        Path.of(
            System.getProperty("user.home"),
            ".appliance-sandbox-probe-" + ProcessHandle.current().pid());
    Files.writeString(homeFile, "a secret in the user's home\n");
    dirs = new ApplianceDirs(temp.resolve("data"), temp.resolve("state"));
    manager = new InstanceManager(dirs);
  }

  @AfterEach
  void tearDown() throws IOException {
    for (InstanceInfo i : manager.list()) {
      manager.remove(i.name(), true);
    }
    Files.deleteIfExists(homeFile);
  }

  @Test
  void hostileUmlKernelSeesNothingOfTheHostAndRunReportsItsFailure() throws Exception {
    Bubblewrap.Support host = Bubblewrap.probe();
    Assumptions.assumeTrue(
        host.sandbox().isPresent(), () -> "no sandbox on this host: " + host.problem());
    Path outside = dirs.data().resolve("escaped-from-the-sandbox");
    try (LoopbackListener listener = new LoopbackListener()) {
      storeProbeImage(compileProbe(homeFile, outside, listener.port()));

      ApplianceException failure =
          assertThrows(
              ApplianceException.class,
              () ->
                  manager.run(
                      new RunRequest(
                          IMAGE,
                          "probe",
                          List.of(),
                          null,
                          null,
                          "uml",
                          Map.of(),
                          Map.of(),
                          List.of(),
                          RunRequest.Isolation.DEFAULT),
                      new StoreBootImages(dirs, RegistryOptions.defaults(), TransferListener.NONE),
                      false,
                      Guests.BOOT_TIMEOUT,
                      Guests::progress));
      String message = failure.getMessage();
      assertTrue(
          message.contains("exited with status 1"), "run reports the engine's failure: " + message);
      assertTrue(
          message.contains("probe read-home: ENOENT"),
          "the home directory is not in the sandbox: " + message);
      assertTrue(
          message.contains("probe write-outside: ENOENT")
              || message.contains("probe write-outside: EROFS"),
          "the data directory is not in the sandbox: " + message);
      assertTrue(
          message.contains("probe connect-loopback: ECONNREFUSED")
              || message.contains("probe connect-loopback: ENETUNREACH"),
          "the engine has no host network: " + message);
      assertFalse(message.contains("SUCCEEDED"), message);
      assertEquals(0, listener.accepted(), "no connection reached the host's loopback listener");
    }
    assertFalse(Files.exists(outside), "nothing written outside the instance directory");
    assertTrue(
        InstanceProcesses.find(dirs.instances().resolve("probe")).isEmpty(), "no process left");
  }

  /** The probe, dynamically linked like Debian's linux.uml, with its targets compiled in. */
  private Path compileProbe(Path home, Path outside, int port)
      throws IOException, InterruptedException {
    return ProgramImages.compile(
        SOURCE,
        temp.resolve("escape-probe"),
        Map.of(
            "HOME_FILE",
            "\"" + home + "\"",
            "OUTSIDE_FILE",
            "\"" + outside + "\"",
            "LOOPBACK_PORT",
            Integer.toString(port)));
  }

  /** A one-layer image: the probe as /usr/bin/linux.uml with the host's loader and libc. */
  private void storeProbeImage(Path program) throws IOException {
    ProgramImages.umlKernelImage(
        ImageStore.open(dirs.store()),
        IMAGE,
        ProgramImages.withHostLibc("usr/bin/linux.uml", program),
        "/usr/bin/linux.uml");
  }
}
