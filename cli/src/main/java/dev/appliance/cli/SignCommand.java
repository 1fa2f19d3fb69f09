package dev.appliance.cli;

import dev.appliance.signing.RemoteSigning;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "sign",
    description = {
      "Sign an image in a registry with a cosign key: the digest the registry has for IMAGE, naming IMAGE.",
      "Stored under the sha256-<hex>.sig tag (added to the signatures already there) and, where the registry has"
          + " the OCI 1.1 referrers API, as a referrer too."
    })
final class SignCommand extends RegistryCommand {
  @Mixin RemoteImageKey target;

  @Override
  public Integer call() throws IOException {
    RemoteSigning.SignResult result =
        new RemoteSigning(registryOptions(), transferProgress("signing"))
            .sign(target.image, target.read());
    out().println(SignatureLines.signed(result));
    return 0;
  }
}
