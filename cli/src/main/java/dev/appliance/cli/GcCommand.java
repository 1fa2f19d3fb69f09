package dev.appliance.cli;

import dev.appliance.store.ImageStore;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.util.LinkedHashMap;
import java.util.Map;

@Command(name = "gc", description = "Remove blobs no tagged image needs (and leftovers of interrupted transfers).")
final class GcCommand extends BaseCommand {
    @Mixin
    OutputOptions output;

    @Override
    public Integer call() {
        ImageStore.GcResult result = ImageStore.open(dirs().store()).gc();
        if (output.json) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("blobsRemoved", result.blobsRemoved());
            json.put("bytesFreed", result.bytesFreed());
            out().println(Json.write(json));
        } else {
            out().println("removed " + result.blobsRemoved() + " blobs, freed " + Sizes.human(result.bytesFreed()));
        }
        return 0;
    }
}
