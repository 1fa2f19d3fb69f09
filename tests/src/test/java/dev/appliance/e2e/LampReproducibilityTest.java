package dev.appliance.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.e2e.support.ApplianceCli;
import dev.appliance.e2e.support.CliResult;
import dev.appliance.e2e.support.E2eEnvironment;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Issue #3's promise for the LAMP appliance: two builds of the same recipe with its lock file give
 * the same image digest. The recipe is locked in a copy (a lock file of the shipped recipe would
 * pin versions a moving mirror drops), built once (reusing the layers 'lock' built, see
 * ImageBuilder.lock), then again without the layer cache under another tag: every layer is produced
 * twice, from mmdebstrap on. Real mmdebstrap, apt and MariaDB's install scripts; needs root and the
 * host's Debian mirror.
 */
@Tag("e2e")
class LampReproducibilityTest {
  private static final Duration BUILD = Duration.ofMinutes(30);

  @Test
  void twoBuildsWithTheLockFileGiveTheSameDigest() {
    ApplianceCli cli = ApplianceCli.forTest("lamp-repro");
    Path recipes =
        E2eEnvironment.copyRecipes(cli.home().getParent().resolve("recipes"), "base", "lamp");
    Path recipe = recipes.resolve("lamp/lamp.yaml");

    cli.run(BUILD, "lock", recipe.toString()).assertSuccess();
    assertTrue(
        Files.isRegularFile(recipes.resolve("lamp/lamp.yaml.lock")),
        "no lock file beside the copy");
    String first =
        cli.run(BUILD, "build", "-t", "lamp:repro-1", recipe.toString())
            .assertSuccess()
            .digestOf("lamp:repro-1");
    String second =
        cli.run(BUILD, "build", "--no-cache", "-t", "lamp:repro-2", recipe.toString())
            .assertSuccess()
            .digestOf("lamp:repro-2");

    // Equal digests: equal manifests, configs and layers. Otherwise say which paths differ.
    if (!first.equals(second)) {
      CliResult diff = cli.run("diff", "lamp:repro-1", "lamp:repro-2");
      // diff compares file systems; a difference it cannot see (tar or gzip bytes) shows in the
      // layer digests.
      assertEquals(
          first,
          second,
          "two builds with the lock file differ; appliance diff lamp:repro-1 lamp:repro-2"
              + " (exit "
              + diff.exitCode()
              + "):\n"
              + diff.stdout()
              + diff.stderr()
              + "\nlayers of the first:\n"
              + cli.run("inspect", "lamp:repro-1").stdout()
              + "\nlayers of the second:\n"
              + cli.run("inspect", "lamp:repro-2").stdout());
    }
  }
}
