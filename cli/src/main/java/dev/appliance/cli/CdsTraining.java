package dev.appliance.cli;

import dev.appliance.common.ApplianceDirs;
import dev.appliance.oci.ApplianceMetadata;
import dev.appliance.oci.Descriptor;
import dev.appliance.oci.ImageConfig;
import dev.appliance.oci.Manifest;
import dev.appliance.oci.MediaTypes;
import dev.appliance.registry.HttpClientThreads;
import dev.appliance.store.ImageStore;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.Writer;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The training run of the class-data archive ({@code appliance.jsa}, see docs/cli.md "Start-up"):
 * the package phase runs this under {@code -XX:DumpLoadedClassList} against a store of its own
 * ({@code APPLIANCE_HOME}) holding one small image, then dumps the classes it loaded into a static
 * archive, so that the classes the quick commands load (picocli's model of every command, the
 * store, Jackson, the manifest and config of a listed image) are mapped instead of parsed and
 * verified. It then pushes that image to an in-memory {@link TrainingRegistry} and pulls it back,
 * so that push and pull start with the JDK's HTTP client and the registry client archived too.
 * Without {@code APPLIANCE_HOME} it only runs the read-only commands: it never adds images to a
 * user's store. Not a user command; output discarded.
 */
final class CdsTraining {
  private static final List<List<String>> COMMANDS =
      List.of(
          List.of("--version"),
          List.of("--help"),
          List.of("images"),
          List.of("images", "--json"),
          List.of("ps"),
          List.of("ps", "--json"),
          List.of("inspect", "training:0"),
          List.of("inspect", "training:0", "--json"),
          List.of("volume", "ls"),
          List.of("run", "--help"));

  private CdsTraining() {}

  public static void main(String[] args) throws IOException {
    boolean ownStore = System.getenv("APPLIANCE_HOME") != null;
    if (ownStore) {
      trainingImage(ImageStore.open(ApplianceDirs.fromEnvironment().store()));
    }
    // Error paths (the missing image) print through System.err too.
    System.setOut(new PrintStream(OutputStream.nullOutputStream()));
    System.setErr(new PrintStream(OutputStream.nullOutputStream()));
    COMMANDS.forEach(CdsTraining::run);
    if (!ownStore) {
      return;
    }
    try (TrainingRegistry registry = new TrainingRegistry()) {
      String remote = registry.host() + "/training/image:0";
      run(List.of("push", "training:0", remote));
      run(List.of("pull", remote));
      RunPathTraining.exercise(registry.host());
    }
    HttpClientThreads.stop();
  }

  private static void run(List<String> command) {
    String[] arguments = command.toArray(String[]::new);
    var cli = Main.commandLine(arguments);
    cli.setOut(new PrintWriter(Writer.nullWriter()));
    cli.setErr(new PrintWriter(Writer.nullWriter()));
    cli.execute(arguments);
  }

  /**
   * Stores {@code training:0}, read by `images` and `inspect`, pushed and pulled: one layer of 1
   * MiB (not a tar: none of them opens it).
   */
  private static void trainingImage(ImageStore store) throws IOException {
    Descriptor layer = store.putBlob(new byte[1 << 20], MediaTypes.OCI_LAYER_GZIP);
    ApplianceMetadata metadata =
        new ApplianceMetadata(
            "training", "0", List.of(), null, 256, 1, 1L << 30, null, "", List.of());
    ImageConfig config =
        ImageConfig.create(Instant.EPOCH, metadata.toLabels(), List.of(layer.digest()), List.of());
    Manifest manifest = Manifest.create(config.descriptor(), List.of(layer), Map.of());
    store.tag("training:0", store.putImage(config, manifest));
  }
}
