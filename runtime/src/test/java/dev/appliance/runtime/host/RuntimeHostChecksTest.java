package dev.appliance.runtime.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.ApplianceDirs;
import dev.appliance.common.HostCheck;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RuntimeHostChecksTest {
  @TempDir Path dir;

  /** The real host: engines first, every check answers, every gap says how to close it. */
  @Test
  void realHostReportNamesEveryEngineAndFixesEveryGap() {
    List<HostCheck> checks = new RuntimeHostChecks().run(dirs());
    assertEquals(
        List.of("engine.kvm", "engine.uml", "engine.tcg"),
        checks.stream().map(HostCheck::name).limit(3).toList());
    for (HostCheck check : checks) {
      assertFalse(check.detail().isBlank(), check.name());
      if (!check.ok()) {
        assertNotNull(check.fix(), check.name());
        assertFalse(check.fix().isBlank(), check.name());
      }
    }
    assertTrue(checks.stream().anyMatch(c -> c.name().equals("store.free-space")));
  }

  @Test
  void umlWithoutSeccompTrapIsAGapThatSaysSo() throws IOException {
    Path actions =
        Files.writeString(dir.resolve("actions_avail"), "kill_process kill_thread errno allow\n");
    HostCheck uml = checks(actions).run(dirs()).get(1);
    assertEquals("engine.uml", uml.name());
    assertFalse(uml.ok());
    assertTrue(uml.detail().contains("seccomp"), uml.detail());
    assertTrue(uml.fix().contains("CONFIG_SECCOMP_FILTER"), uml.fix());
  }

  /** This host has bubblewrap and user namespaces (scripts/install-host-deps installs it). */
  @Test
  void realHostCanSandboxEngines() {
    HostCheck sandbox =
        new RuntimeHostChecks()
            .run(dirs()).stream()
                .filter(c -> c.name().equals("sandbox.engines"))
                .findFirst()
                .orElseThrow();
    assertTrue(sandbox.ok(), sandbox.detail() + " / " + sandbox.fix());
    assertTrue(sandbox.detail().contains("bwrap"), sandbox.detail());
  }

  /**
   * A host without user namespaces cannot be made here without disturbing others: the probe's
   * outcome is given.
   */
  @Test
  void noSandboxIsAGapThatSaysWhatRunDoesAndHowToFixIt() {
    HostCheck gap =
        RuntimeHostChecks.sandbox(
            dev.appliance.runtime.engine.Bubblewrap.Support.unavailable(
                "bwrap cannot create the sandbox's namespaces (No permissions to create new namespace)",
                "sysctl -w user.max_user_namespaces=15000"));
    assertFalse(gap.ok());
    assertTrue(gap.detail().contains("No permissions to create new namespace"), gap.detail());
    assertTrue(gap.detail().contains("refuses images from registries"), gap.detail());
    assertEquals("sysctl -w user.max_user_namespaces=15000", gap.fix());
  }

  @Test
  void freeSpaceIsMeasuredForADataDirThatDoesNotExistYet() {
    ApplianceDirs dirs = new ApplianceDirs(dir.resolve("not/yet/data"), dir.resolve("state"));
    HostCheck free =
        checks(dir.resolve("actions_avail")).run(dirs).stream()
            .filter(c -> c.name().equals("store.free-space"))
            .findFirst()
            .orElseThrow();
    assertTrue(free.detail().contains("GiB free"), free.detail());
    assertTrue(free.detail().contains(dirs.data().toString()), free.detail());
  }

  private RuntimeHostChecks checks(Path seccompActions) {
    // No device: these tests are about the other checks, not about booting a guest.
    KvmProbe noKvm =
        new KvmProbe(dir.resolve("no-kvm"), "qemu-system-x86_64", List.of(), Duration.ofSeconds(1));
    return new RuntimeHostChecks(noKvm, seccompActions);
  }

  private ApplianceDirs dirs() {
    return new ApplianceDirs(dir.resolve("data"), dir.resolve("state"));
  }
}
