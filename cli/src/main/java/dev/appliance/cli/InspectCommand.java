package dev.appliance.cli;

import dev.appliance.builder.Inspector;
import dev.appliance.oci.Digest;
import dev.appliance.oci.MetadataRules;
import dev.appliance.runtime.instance.InstanceManager;
import dev.appliance.signing.AttestationVerifier;
import dev.appliance.signing.LocalAttachments;
import dev.appliance.signing.PublicKeys;
import dev.appliance.signing.StoredImagePolicy;
import dev.appliance.store.ImageStore;
import dev.appliance.store.StoredImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.interfaces.ECPublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "inspect",
    description = {
      "Show an image's appliance metadata, layers with sizes and provenance.",
      "Given the name of an instance: its state and image history (upgrades, rollbacks)."
    })
final class InspectCommand extends BaseCommand {
  @Parameters(
      index = "0",
      paramLabel = "IMAGE|INSTANCE",
      description = "tag or digest in the local store, or an instance's name (instances first)")
  String image;

  @Option(names = "--sbom", description = "Print the image's SPDX SBOM (JSON) instead.")
  boolean sbom;

  @Option(
      names = "--attestations",
      description =
          "List the image's attestations kept in the store (from its pull): predicate type, whether"
              + " verified, signer key fingerprint, envelope digest.")
  boolean attestations;

  @Option(
      names = "--key",
      paramLabel = "KEY",
      description =
          "With --attestations: public key to verify them with (repeatable; default: the keys the"
              + " policy requires for the image).")
  List<Path> keys = new ArrayList<>();

  @Mixin PolicyOptions policy;

  @Mixin OutputOptions output;

  @Override
  public Integer call() {
    InstanceManager instances = new InstanceManager(dirs());
    if (!sbom && !attestations && instances.exists(image)) {
      InstanceView.printHistory(instances.info(image), instances.history(image), output, out());
      return 0;
    }
    ImageStore store = ImageStore.open(dirs().store());
    StoredImage stored = store.get(image);
    if (attestations) {
      return listAttestations(store, stored);
    }
    if (sbom) {
      out().println(new String(Inspector.sbom(stored), StandardCharsets.UTF_8));
      return 0;
    }
    Inspector.ImageInfo info = Inspector.info(stored);
    if (output.json) {
      out().println(Json.write(info));
      return 0;
    }
    out().println("Image:    " + info.name());
    out().println("Digest:   " + info.digest());
    out().println("Created:  " + info.created());
    out().println("Size:     " + Sizes.human(info.totalSize()));
    out().println("Labels:");
    for (Map.Entry<String, String> label : info.labels().entrySet()) {
      // Shown as the image has them, valid or not, but never as terminal control sequences.
      out()
          .println(
              "  "
                  + MetadataRules.escaped(label.getKey())
                  + " = "
                  + MetadataRules.escaped(label.getValue()));
    }
    out().println("Layers:");
    for (Inspector.LayerInfo layer : info.layers()) {
      out()
          .printf(
              "  %-14s %10s  %s%n",
              layer.digest().substring(7, 19), Sizes.human(layer.size()), layer.name());
    }
    out().println("Provenance:");
    info.provenance()
        .forEach(
            (k, v) ->
                out().println("  " + MetadataRules.escaped(k) + " = " + MetadataRules.escaped(v)));
    return 0;
  }

  private int listAttestations(ImageStore store, StoredImage stored) {
    Digest digest = stored.descriptor().digest();
    List<ECPublicKey> verifyWith = new ArrayList<>();
    for (Path key : keys) {
      verifyWith.add(PublicKeys.read(key));
    }
    if (keys.isEmpty()) {
      StoredImagePolicy.nameOf(store, stored)
          .ifPresent(name -> verifyWith.addAll(policy.keysFor(name)));
    }
    List<AttestationVerifier.Check> checks =
        AttestationVerifier.check(
            new LocalAttachments(store).attestations(digest), verifyWith, digest);
    if (output.json) {
      out()
          .println(
              Json.write(
                  checks.stream()
                      .map(
                          c ->
                              new AttestationView(
                                  c.predicateType(),
                                  c.envelope().toString(),
                                  c.signer(),
                                  c.verified(),
                                  c.detail()))
                      .toList()));
      return 0;
    }
    if (checks.isEmpty()) {
      out().println(stored.name() + " (" + digest + "): no attestations in the store");
    }
    for (AttestationVerifier.Check check : checks) {
      out()
          .println(
              MetadataRules.escaped(check.predicateType())
                  + "  "
                  + (check.verified() ? "verified" : "NOT verified")
                  + "  key "
                  + (check.signer() == null ? "unknown" : check.signer())
                  + "  "
                  + check.envelope()
                  + (check.verified() ? "" : "  (" + MetadataRules.escaped(check.detail()) + ")"));
    }
    return 0;
  }

  /** What --attestations --json prints for each attestation. */
  record AttestationView(
      String predicateType, String envelope, String signer, boolean verified, String detail) {}
}
