package dev.appliance.cli;

import dev.appliance.common.InvalidInputException;
import dev.appliance.registry.ImagePusher;
import dev.appliance.registry.PushResult;
import dev.appliance.registry.RegistryOptions;
import dev.appliance.registry.TransferListener;
import dev.appliance.signing.AttestationPredicate;
import dev.appliance.signing.Passphrase;
import dev.appliance.signing.RemoteSigning;
import dev.appliance.signing.SigningKey;
import dev.appliance.store.ImageStore;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "push",
    description = {
      "Push an image from the local store to a registry.",
      "Prints the manifest digest, which is the same in the store and in the registry."
    })
final class PushCommand extends RegistryCommand {
  @Parameters(
      index = "0",
      paramLabel = "LOCAL",
      description = "Image in the local store (tag or digest).")
  String local;

  @Parameters(
      index = "1",
      arity = "0..1",
      paramLabel = "REMOTE",
      description =
          "REGISTRY/REPOSITORY[:TAG] to push to; default: LOCAL, which must then name a registry.")
  String remote;

  @Option(
      names = "--sign-key",
      paramLabel = "KEY",
      description =
          "After the push, sign the pushed image with this private key (as `appliance sign`) and"
              + " attach its SBOM and SLSA provenance as attestations signed with it (as `appliance attest`).")
  Path signKey;

  @Mixin SigningKeyOptions signing;

  @Override
  public Integer call() throws IOException {
    if (signKey != null
        && registry.passwordStdin
        && signing.passphraseFile == null
        && System.getenv(Passphrase.ENVIRONMENT_VARIABLE) == null) {
      throw new InvalidInputException(
          "--password-stdin and --sign-key both want standard input: give the key's"
              + " passphrase with --passphrase-file or $"
              + Passphrase.ENVIRONMENT_VARIABLE);
    }
    // The key is read first: a wrong passphrase fails before anything is uploaded.
    SigningKey key = signKey == null ? null : signing.read(signKey, "--sign-key");
    RegistryOptions options = registryOptions();
    TransferListener listener = transferProgress("pushing");
    ImageStore store = store();
    List<AttestationPredicate> predicates =
        key == null ? List.of() : ImagePredicates.of(store, store.get(local));
    PushResult result = new ImagePusher(store, options, listener).push(local, remote);
    Pushed json =
        new Pushed(
            result.target(),
            result.digest().toString(),
            result.bytesSent(),
            result.blobsSent(),
            result.blobsSkipped());
    TransferProgress.printResult(
        out(),
        err(),
        output,
        json,
        json.digest(),
        "pushed "
            + result.target()
            + ": sent "
            + Sizes.human(result.bytesSent())
            + " in "
            + result.blobsSent()
            + " blobs, "
            + result.blobsSkipped()
            + " already there");
    if (key != null) {
      RemoteSigning signing = new RemoteSigning(options, listener);
      err().println(SignatureLines.signed(signing.sign(result.target(), key)));
      if (predicates.isEmpty()) {
        err().println("no attestations: " + local + " has no SBOM and no build record");
      } else {
        err()
            .println(
                SignatureLines.attested(signing.attest(result.target(), key, d -> predicates)));
      }
    }
    return 0;
  }

  /** What --json prints. */
  record Pushed(String target, String digest, long bytesSent, int blobsSent, int blobsSkipped) {}
}
