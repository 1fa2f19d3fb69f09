package dev.appliance.runtime.export;

import dev.appliance.registry.RegistryOptions;
import dev.appliance.registry.TransferListener;
import dev.appliance.runtime.disk.DiskAssembler;
import dev.appliance.runtime.disk.ImageFiles;
import dev.appliance.runtime.disk.ImageLayers;
import dev.appliance.store.ImageStore;
import java.nio.file.Path;
import java.util.List;

/**
 * Runs one export in its own JVM, so a test can run it as another user. Args: WORKDIR FORMAT LAYER.
 */
public final class ExportMain {
  private ExportMain() {}

  public static void main(String[] args) {
    Path work = Path.of(args[0]);
    Exporter exporter =
        new Exporter(
            new DiskAssembler(work.resolve("disks")),
            new ImageFiles(work.resolve("files")),
            ImageStore.open(work.resolve("store")),
            RegistryOptions.defaults(),
            new TransferListener() {});
    ExportResult result =
        exporter.export(
            new ImageLayers("web:1.0", "sha256:5e", List.of(Path.of(args[2]))),
            ExportTest.METADATA,
            new ExportOptions(ExportFormat.parse(args[1]), work.resolve("out"), true, null));
    System.out.println(result.disk());
  }
}
