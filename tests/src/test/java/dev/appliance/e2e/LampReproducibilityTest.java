package dev.appliance.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.e2e.support.ApplianceCli;
import dev.appliance.e2e.support.CliResult;
import dev.appliance.e2e.support.SharedAppliance;
import java.time.Duration;
import java.util.Locale;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issues 3 and 13: the committed lock file of recipes/lamp (and of recipes/snort) gives the same
 * image digest whatever state a build starts from.
 *
 * <p>The first build is the run's shared one ({@link SharedAppliance}): {@code appliance build
 * recipes/NAME/NAME.yaml} in an empty APPLIANCE_HOME, caches cleared. The second is {@code
 * appliance verify --rebuild IMAGE --recipe-dir recipes/NAME} in another home holding a copy of the
 * first one's store and caches: the .deb cache and apt lists are kept (so nothing is downloaded
 * again), while the layer cache is not used, so every layer, from mmdebstrap on, is produced again.
 * That is the cheapest second build that still proves the claim: a warm layer cache would only copy
 * the first build's layers. The rebuild exits 0 only when the manifest digests are equal (one line
 * per layer says identical); otherwise its output names the differing layers and files, and the
 * test prints it. Real mmdebstrap, apt and maintainer scripts; needs root and the host's Debian
 * mirror.
 */
@Tag("e2e")
@Tag("slow")
class LampReproducibilityTest {
  private static final Duration BUILD = Duration.ofMinutes(40);

  @ParameterizedTest
  @EnumSource(SharedAppliance.class)
  void aColdRebuildWithTheCommittedLockFileGivesTheSameDigest(SharedAppliance appliance) {
    String name = appliance.name().toLowerCase(Locale.ROOT);
    SharedAppliance.Build first = appliance.build();
    ApplianceCli cli = ApplianceCli.forTest(name + "-rebuild");
    first.copyInto(cli);

    CliResult rebuild =
        cli.run(BUILD, "verify", "--rebuild", appliance.tag(), "--recipe-dir", "recipes/" + name);

    assertEquals(
        0,
        rebuild.exitCode(),
        "a second build of "
            + appliance.recipe()
            + " with its lock file differs from the first:\n"
            + rebuild.stdout()
            + rebuild.stderr());
    assertTrue(
        rebuild.stdout().contains("identical: " + first.digest()),
        "verify --rebuild names the digest it reproduced:\n" + rebuild.stdout());
    System.err.printf(
        "[repro] %s: cold build %.1f s, rebuild with caches kept %.1f s, digest %s%n",
        name,
        first.buildTime().toMillis() / 1000.0,
        rebuild.elapsed().toMillis() / 1000.0,
        first.digest());
  }
}
