package dev.appliance.cli;

import dev.appliance.builder.Inspector;
import dev.appliance.oci.MetadataRules;
import dev.appliance.runtime.instance.InstanceManager;
import dev.appliance.store.ImageStore;
import dev.appliance.store.StoredImage;
import java.nio.charset.StandardCharsets;
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

  @Mixin OutputOptions output;

  @Override
  public Integer call() {
    InstanceManager instances = new InstanceManager(dirs());
    if (!sbom && instances.exists(image)) {
      InstanceView.printHistory(instances.info(image), instances.history(image), output, out());
      return 0;
    }
    StoredImage stored = ImageStore.open(dirs().store()).get(image);
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
}
