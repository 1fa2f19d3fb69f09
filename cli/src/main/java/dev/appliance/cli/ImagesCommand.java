package dev.appliance.cli;

import dev.appliance.oci.ImageConfig;
import dev.appliance.oci.Manifest;
import dev.appliance.store.ImageStore;
import dev.appliance.store.StoredImage;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

@Command(name = "images", description = "List the images in the local store.")
final class ImagesCommand extends BaseCommand {
  @Mixin OutputOptions output;

  @Override
  public Integer call() {
    ImageStore store = ImageStore.open(dirs().store());
    List<Row> rows = new ArrayList<>();
    for (ImageStore.Tag tag : store.tags()) {
      StoredImage image = store.load(tag.name(), tag.manifest().digest());
      Manifest manifest = image.manifest();
      ImageConfig config = image.config();
      rows.add(
          new Row(
              tag.name(),
              manifest.digest().toString(),
              manifest.layersSize() + manifest.config().size(),
              manifest.layers().size(),
              config.created() == null ? null : config.created().toString()));
    }
    if (output.json) {
      out().println(Json.write(rows));
      return 0;
    }
    String format = "%-50s %-14s %10s %7s  %s%n";
    out().printf(format, "NAME", "DIGEST", "SIZE", "LAYERS", "CREATED");
    for (Row row : rows) {
      out()
          .printf(
              format,
              row.name(),
              row.digest().substring(7, 19),
              Sizes.human(row.size()),
              row.layers(),
              row.created() == null ? "" : row.created());
    }
    return 0;
  }

  /** One image: a table row, and an element of the --json array. */
  record Row(String name, String digest, long size, int layers, String created) {}
}
