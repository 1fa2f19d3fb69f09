package dev.appliance.cli;

import dev.appliance.oci.ImageConfig;
import dev.appliance.oci.Manifest;
import dev.appliance.store.ImageStore;
import dev.appliance.store.StoredImage;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

@Command(name = "images", description = "List the images in the local store.")
final class ImagesCommand extends BaseCommand {
    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        ImageStore store = ImageStore.open(dirs().store());
        List<Map<String, Object>> rows = new ArrayList<>();
        for (ImageStore.Tag tag : store.tags()) {
            StoredImage image = store.load(tag.name(), tag.manifest().digest());
            Manifest manifest = image.manifest();
            ImageConfig config = image.config();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("name", tag.name());
            row.put("digest", manifest.digest().toString());
            row.put("size", manifest.layersSize() + manifest.config().size());
            row.put("layers", manifest.layers().size());
            row.put("created", config.created() == null ? null : config.created().toString());
            rows.add(row);
        }
        if (output.json) {
            out().println(Json.write(rows));
            return 0;
        }
        String format = "%-50s %-14s %10s %7s  %s%n";
        out().printf(format, "NAME", "DIGEST", "SIZE", "LAYERS", "CREATED");
        for (Map<String, Object> row : rows) {
            out().printf(format, row.get("name"), ((String) row.get("digest")).substring(7, 19),
                    Sizes.human((Long) row.get("size")), row.get("layers"), row.get("created") == null ? "" : row.get("created"));
        }
        return 0;
    }
}
