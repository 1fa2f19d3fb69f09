package dev.appliance.registry;

import dev.appliance.registry.SigstoreSkopeo.Result;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The set-up every skopeo interop test of issue 13 shares: a real docker-registry on 127.0.0.1, a
 * skopeo with sigstore ({@link SigstoreSkopeo#locate()}: fails in CI when there is none, skips
 * elsewhere) told to keep sigstore signatures as attachments on that registry (the {@code
 * sha256-<hex>.sig} tag scheme appliance uses), and the policies both tools read. Images go under
 * {@code HOST/ops/}, the scope {@link #policyRequiring} covers.
 */
public final class SigstoreRegistry implements AutoCloseable {
  private final Path dir;
  private final SigstoreSkopeo skopeo;
  private final RegistryServer registry;
  private final Path registriesD;
  private final Path acceptAnything;

  private SigstoreRegistry(Path dir, SigstoreSkopeo skopeo, RegistryServer registry)
      throws IOException {
    this.dir = dir;
    this.skopeo = skopeo;
    this.registry = registry;
    this.registriesD = Files.createDirectories(dir.resolve("registries.d"));
    Files.writeString(
        registriesD.resolve("test.yaml"),
        "docker:\n  " + registry.host() + ":\n    use-sigstore-attachments: true\n");
    this.acceptAnything =
        Files.writeString(
            dir.resolve("accept.json"), "{\"default\":[{\"type\":\"insecureAcceptAnything\"}]}");
  }

  /**
   * Finds the skopeo (or skips the test) before starting a registry under {@code dir/registry}; the
   * policies and skopeo's configuration are written to {@code dir}.
   */
  public static SigstoreRegistry start(Path dir) throws IOException {
    SigstoreSkopeo skopeo = SigstoreSkopeo.locate();
    RegistryServer registry = RegistryServer.plain(dir.resolve("registry"));
    try {
      return new SigstoreRegistry(dir, skopeo, registry);
    } catch (IOException | RuntimeException e) {
      registry.close();
      throw e;
    }
  }

  /** {@code 127.0.0.1:PORT}. */
  public String host() {
    return registry.host();
  }

  /** {@code HOST/ops/nameAndTag}: an image under the scope {@link #policyRequiring} covers. */
  public String image(String nameAndTag) {
    return registry.host() + "/ops/" + nameAndTag;
  }

  /**
   * A policy requiring a signature by {@code publicKey} for {@code HOST/ops}, rejecting the rest.
   */
  public Path policyRequiring(Path publicKey) throws IOException {
    return TestPolicies.requiring(dir, registry.host(), publicKey);
  }

  /**
   * {@code skopeo copy} of {@code source} (a skopeo transport reference, e.g. {@code
   * oci:STORE:app:1}) to {@code docker://image}, unsigned.
   */
  public Result push(String source, String image) throws IOException, InterruptedException {
    return skopeo.run(
        "--policy",
        acceptAnything.toString(),
        "copy",
        "--dest-tls-verify=false",
        source,
        "docker://" + image);
  }

  /**
   * {@code skopeo copy} of {@code source} to {@code docker://image}, signed with the cosign private
   * key {@code key} whose passphrase is {@code passphrase} (given to skopeo in a file).
   */
  public Result pushSigned(Path key, String passphrase, String source, String image)
      throws IOException, InterruptedException {
    Path passphraseFile =
        Files.createTempFile(
            dir,
            "passphrase",
            "",
            PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(passphraseFile, passphrase + "\n");
    try {
      return skopeo.run(
          "--policy",
          acceptAnything.toString(),
          "--registries.d",
          registriesD.toString(),
          "copy",
          "--dest-tls-verify=false",
          "--sign-by-sigstore-private-key",
          key.toString(),
          "--sign-passphrase-file",
          passphraseFile.toString(),
          source,
          "docker://" + image);
    } finally {
      Files.delete(passphraseFile);
    }
  }

  /**
   * {@code skopeo copy} of {@code docker://image} into a new OCI layout under {@code dir}, which
   * skopeo does only when {@code policy} accepts the image.
   */
  public Result pullUnderPolicy(Path policy, String image)
      throws IOException, InterruptedException {
    Path target = Files.createTempDirectory(dir, "pulled");
    return skopeo.run(
        "--policy",
        policy.toString(),
        "--registries.d",
        registriesD.toString(),
        "copy",
        "--src-tls-verify=false",
        // The policy is checked on the source; an OCI layout cannot hold the signatures.
        "--remove-signatures",
        "docker://" + image,
        "oci:" + target + ":x");
  }

  @Override
  public void close() {
    registry.close();
  }
}
