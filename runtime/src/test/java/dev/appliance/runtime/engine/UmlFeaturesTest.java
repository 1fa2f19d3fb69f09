package dev.appliance.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The UML kernel's {@code --help} probe and its cache. The "kernel" is a shell script standing in
 * for linux.uml (a real one needs an image's UML cache): it prints a help text and counts its runs.
 */
class UmlFeaturesTest {
  @TempDir Path dir;

  @Test
  void helpTellsSeccompAndSmp() {
    assertEquals(
        new UmlFeatures(true, false),
        UmlFeatures.fromHelp("User Mode Linux v7.2.7\nseccomp=<on/auto/off>\n    Configure ..."));
    assertEquals(
        new UmlFeatures(true, true),
        UmlFeatures.fromHelp("seccomp=<on/auto/off>\nncpus=<# of desired CPUs>\n"));
    assertEquals(new UmlFeatures(false, false), UmlFeatures.fromHelp("User Mode Linux v6.1\n"));
  }

  @Test
  void verdictsRoundTripAndAnythingElseIsNoVerdict() {
    for (UmlFeatures f :
        List.of(
            new UmlFeatures(true, true),
            new UmlFeatures(false, true),
            new UmlFeatures(true, false))) {
      assertEquals(Optional.of(f), UmlFeatures.decode(f.encode()));
    }
    assertEquals(Optional.empty(), UmlFeatures.decode("seccomp=yes smp=true"));
    assertEquals(Optional.empty(), UmlFeatures.decode(""));
  }

  @Test
  void secondRunUsesTheCacheAndAChangedKernelIsProbedAgain() throws Exception {
    Path runs = dir.resolve("runs");
    Path kernel = kernel("seccomp=<on/auto/off>", runs);
    ProcessStarter starter = new ProcessStarter(dir, Sandbox.NONE);
    Confinement confinement = Confinement.engine(List.of(dir), List.of(), List.of());

    assertEquals(new UmlFeatures(true, false), UmlFeatures.of(kernel, starter, confinement, dir));
    assertEquals(new UmlFeatures(true, false), UmlFeatures.of(kernel, starter, confinement, dir));
    assertEquals(1, Files.readAllLines(runs).size(), "the second start did not run --help");
    assertTrue(Files.exists(dir.resolve("uml-help.probe")), "cached beside the kernel");

    // A new kernel in the same place (another image version, a patched one): probed again.
    Files.delete(kernel);
    kernel("seccomp=<on/auto/off>\nncpus=<# of desired CPUs>", runs);
    assertEquals(new UmlFeatures(true, true), UmlFeatures.of(kernel, starter, confinement, dir));
    assertEquals(2, Files.readAllLines(runs).size());
  }

  private Path kernel(String help, Path runs) throws IOException {
    Path kernel = dir.resolve("linux.uml");
    Files.writeString(
        kernel, "#!/bin/sh\necho run >> " + runs + "\ncat <<'EOF'\n" + help + "\nEOF\n");
    Files.setPosixFilePermissions(kernel, PosixFilePermissions.fromString("rwxr-xr-x"));
    return kernel;
  }
}
