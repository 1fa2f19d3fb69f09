package dev.appliance.cli;

import dev.appliance.common.ApplianceException;
import dev.appliance.common.FileTrees;
import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageReference;
import dev.appliance.registry.ImagePusher;
import dev.appliance.registry.PushResult;
import dev.appliance.registry.RegistryOptions;
import dev.appliance.registry.RemoteRepository;
import dev.appliance.registry.TransferListener;
import dev.appliance.runtime.disk.DiskAssembler;
import dev.appliance.runtime.disk.ImageLayers;
import dev.appliance.runtime.export.RootSlotArtifact;
import dev.appliance.signing.AttestationPredicate;
import dev.appliance.signing.Passphrase;
import dev.appliance.signing.RemoteSigning;
import dev.appliance.signing.SigningKey;
import dev.appliance.store.ImageStore;
import dev.appliance.store.StoredImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
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

  @Option(
      names = "--root-slot",
      description =
          "Also push the image's ready root-slot image (its root disk, gzip) as an artifact tagged"
              + " sha256-<hex>.rootfs after the image's digest: what self-updating exports download.")
  boolean rootSlot;

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
    // The root slot goes up before the tag moves: an updater that sees the new digest finds its
    // artifact (docs/export.md "Updates").
    AtomicReference<Digest> artifact = new AtomicReference<>();
    PushResult result =
        new ImagePusher(store, options, listener)
            .push(
                local,
                remote,
                rootSlot
                    ? image -> artifact.set(pushRootSlot(store, options, listener, image))
                    : null);
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
      if (artifact.get() != null) {
        // The image's signature does not cover the root-slot artifact: an updater with a key
        // (export --update-key) requires this one before it writes a slot.
        ImageReference target = RemoteRepository.parseReference(result.target(), "REMOTE");
        err()
            .println(
                SignatureLines.signed(
                    signing.sign(
                        new ImageReference(
                                target.registry(), target.repository(), null, artifact.get())
                            .toString(),
                        key)));
      }
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

  /** Pushes the root-slot artifact of {@code image}, already in its repository by digest. */
  private Digest pushRootSlot(
      ImageStore store, RegistryOptions options, TransferListener listener, ImageReference image) {
    StoredImage stored = store.get(local);
    Path work = null;
    try {
      work = Files.createTempDirectory(Files.createDirectories(dirs().diskCache()), ".root-slot-");
      Digest artifact =
          new RootSlotArtifact(new DiskAssembler(dirs()), options, listener)
              .push(ImageLayers.of(stored), stored.metadata(), image, image.digest(), work);
      err()
          .println(
              "root-slot image: " + RootSlotArtifact.tag(image.digest()) + " (" + artifact + ")");
      return artifact;
    } catch (IOException e) {
      throw new ApplianceException(
          "cannot prepare the root-slot image of " + local + ": " + e.getMessage(), e);
    } finally {
      if (work != null) {
        FileTrees.deleteQuietly(work);
      }
    }
  }

  /** What --json prints. */
  record Pushed(String target, String digest, long bytesSent, int blobsSent, int blobsSkipped) {}
}
