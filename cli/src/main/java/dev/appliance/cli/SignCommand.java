package dev.appliance.cli;

import dev.appliance.signing.RemoteSigning;
import java.io.IOException;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "sign",
    description = {
      "Sign an image in a registry with a cosign key: the digest the registry has for IMAGE, naming IMAGE.",
      "Stored under the sha256-<hex>.sig tag (added to the signatures already there) and, where the registry has"
          + " the OCI 1.1 referrers API, as a referrer too."
    })
final class SignCommand extends RegistryCommand {
  @Parameters(index = "0", paramLabel = "IMAGE", description = "REGISTRY/REPOSITORY[:TAG|@DIGEST]")
  String image;

  @Option(
      names = "--key",
      required = true,
      paramLabel = "KEY",
      description = "Private key (cosign format, e.g. from `appliance key generate`).")
  Path key;

  @Mixin SigningKeyOptions signing;

  @Override
  public Integer call() throws IOException {
    RemoteSigning.SignResult result =
        new RemoteSigning(registryOptions(), transferProgress("signing"))
            .sign(image, signing.read(key, "--key"));
    out().println(SignatureLines.signed(result));
    return 0;
  }
}
