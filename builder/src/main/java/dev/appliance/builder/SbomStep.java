package dev.appliance.builder;

import dev.appliance.oci.ImageConfig;
import dev.appliance.recipe.Recipe;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;

/** The top layer: the SPDX document of the installed packages, at {@link Sbom#PATH}. */
final class SbomStep implements Callable<BuildResult.Layer> {
  static final String NAME = "sbom";
  static final ImageConfig.History HISTORY =
      new ImageConfig.History("appliance sbom " + Sbom.PATH, NAME);

  private final Recipe recipe;
  private final List<DpkgStatus.Installed> packages;
  private final long epoch;
  private final Path tree;
  private final StoreLayerWriter blobs;
  private final LayerWriter writer;

  /**
   * @param tree an empty directory the layer is made in
   */
  SbomStep(
      Recipe recipe,
      List<DpkgStatus.Installed> packages,
      long epoch,
      Path tree,
      StoreLayerWriter blobs,
      LayerWriter writer) {
    this.recipe = recipe;
    this.packages = packages;
    this.epoch = epoch;
    this.tree = tree;
    this.blobs = blobs;
    this.writer = writer;
  }

  @Override
  public BuildResult.Layer call() {
    writeDocument();
    LayerBlob sbom = blobs.write(writer, tree, NAME);
    return new BuildResult.Layer(NAME, sbom.digest(), sbom.diffId(), sbom.size(), false);
  }

  private void writeDocument() {
    try {
      Path file = tree.resolve(Sbom.PATH);
      Processes.check(List.of("mkdir", "-p", "-m", "0755", file.getParent().toString()));
      Files.write(
          file,
          Sbom.spdx(
              recipe.name(),
              recipe.version(),
              recipe.base().suite(),
              packages,
              Instant.ofEpochSecond(epoch)));
      Processes.check(List.of("chmod", "0644", file.toString()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
