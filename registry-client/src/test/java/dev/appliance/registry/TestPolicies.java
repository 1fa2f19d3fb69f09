package dev.appliance.registry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The containers-policy.json files the signing tests write (issue 13). */
public final class TestPolicies {
  private TestPolicies() {}

  /**
   * Writes {@code dir/policy-<key file name>.json}, rejecting every image but those under {@code
   * registryHost/ops}, which must carry a sigstore signature by {@code publicKey} naming them
   * (matchRepoDigestOrExact); returns it.
   */
  public static Path requiring(Path dir, String registryHost, Path publicKey) throws IOException {
    return Files.writeString(
        dir.resolve("policy-" + publicKey.getFileName() + ".json"),
        "{\"default\":[{\"type\":\"reject\"}],"
            + "\"transports\":{\"docker\":{\""
            + registryHost
            + "/ops\":[{\"type\":\"sigstoreSigned\","
            + "\"keyPath\":\""
            + publicKey.toAbsolutePath()
            + "\",\"signedIdentity\":{\"type\":\"matchRepoDigestOrExact\"}}]}}}");
  }
}
