package dev.appliance.cli;

import dev.appliance.signing.RemoteSigning;
import dev.appliance.store.ImageStore;
import java.io.IOException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(
    name = "attest",
    description = {
      "Attach signed attestations to an image in a registry: its SPDX SBOM and SLSA provenance,"
          + " in-toto statements in DSSE envelopes signed with a cosign key.",
      "The image (the digest the registry has for IMAGE) must be in the local store, which holds"
          + " its SBOM and build record. Stored under the sha256-<hex>.att tag and, where the"
          + " registry has the OCI 1.1 referrers API, as referrers too."
    })
final class AttestCommand extends RegistryCommand {
  @Mixin RemoteImageKey target;

  @Override
  public Integer call() throws IOException {
    ImageStore store = store();
    RemoteSigning.AttestResult result =
        new RemoteSigning(registryOptions(), transferProgress("attesting"))
            .attest(
                target.image,
                target.read(),
                digest -> ImagePredicates.required(store, store.get(digest.toString())));
    out().println(SignatureLines.attested(result));
    return 0;
  }
}
