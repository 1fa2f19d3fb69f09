package dev.appliance.cli;

import dev.appliance.oci.ImageReference;
import dev.appliance.registry.RegistryOptions;
import dev.appliance.registry.RemoteRepository;
import dev.appliance.registry.TestPolicies;
import dev.appliance.registry.TransferListener;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/**
 * The signing tests' CLI: {@link CliProcess} with no docker config, the key passphrase "pw" in the
 * environment and an XDG config home of the test's own (so that no user policy applies unless the
 * test writes one), and the policies they write.
 *
 * @param dir the test's temporary directory
 */
record SigningCli(Path dir) {
  CliProcess.Run run(Path home, String... args) throws IOException, InterruptedException {
    return CliProcess.run(
        home,
        Map.of(
            "DOCKER_CONFIG",
            dir.resolve("no-docker-config").toString(),
            "APPLIANCE_KEY_PASSWORD",
            "pw",
            "XDG_CONFIG_HOME",
            dir.resolve("xdg").toString()),
        "",
        args);
  }

  /**
   * A policy rejecting everything but {@code registry}/ops, which must be signed by {@code
   * publicKey}.
   */
  Path policyRequiring(String registry, Path publicKey) throws IOException {
    return TestPolicies.requiring(dir, registry, publicKey);
  }

  /** The repository {@code image} names, with push access (to doctor it). */
  static RemoteRepository repository(String image) {
    return RemoteRepository.open(
        ImageReference.parse(image), RegistryOptions.defaults(), TransferListener.NONE, true);
  }
}
