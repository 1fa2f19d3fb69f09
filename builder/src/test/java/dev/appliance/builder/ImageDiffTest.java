package dev.appliance.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.appliance.oci.Descriptor;
import dev.appliance.oci.ImageConfig;
import dev.appliance.oci.Manifest;
import dev.appliance.oci.MediaTypes;
import dev.appliance.store.StoredImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Images with equal file systems but different layers: diff must still name the cause. (Found on
 * LAMP: a locked build's packages layer carried /etc/apt and /etc/apt/preferences.d copied up
 * unchanged, an unlocked one did not.)
 */
class ImageDiffTest {
  private static final long EPOCH = 1_000_000;

  @TempDir Path dir;

  @Test
  void anEntryThatChangesNothingIsNamedWithItsLayer() throws IOException {
    Path base = tree("base", "etc/apt/sources.list");
    StoredImage plain = image("plain", base, tree("plain", "etc/motd"));
    Path copiedUp = tree("copied-up", "etc/motd");
    Files.createDirectories(copiedUp.resolve("etc/apt"));
    StoredImage withCopyUp = image("copy-up", base, copiedUp);

    assertEquals(
        List.of(
            new ImageDiff.Change(
                "/etc/apt", "added", List.of("entry of layer packages only, same file system"))),
        ImageDiff.diff(plain, withCopyUp));
    assertEquals(List.of(), ImageDiff.diff(plain, plain));
  }

  @Test
  void aDifferingPathIsReportedWithoutTheLayerDetail() throws IOException {
    Path base = tree("base", "etc/apt/sources.list");
    StoredImage one = image("one", base, tree("one", "etc/motd"));
    Path other = tree("other", "etc/motd");
    Files.writeString(other.resolve("etc/motd"), "changed\n");

    assertEquals(
        List.of(new ImageDiff.Change("/etc/motd", "changed", List.of("content"))),
        ImageDiff.diff(one, image("two", base, other)));
  }

  private Path tree(String name, String file) throws IOException {
    Path root = dir.resolve(name);
    Path f = root.resolve(file);
    Files.createDirectories(f.getParent());
    Files.writeString(f, file + "\n");
    return root;
  }

  /** An image of two layers, "base" and "packages", as the store would return it. */
  private StoredImage image(String name, Path baseTree, Path packagesTree) throws IOException {
    LayerWriter writer = new LayerWriter(EPOCH, 1);
    List<Path> files = new ArrayList<>();
    List<Descriptor> layers = new ArrayList<>();
    List<dev.appliance.oci.Digest> diffIds = new ArrayList<>();
    for (Path tree : List.of(baseTree, packagesTree)) {
      Path blob = dir.resolve(name + "-" + files.size() + ".tar.gz");
      LayerBlob layer;
      try (OutputStream out = Files.newOutputStream(blob)) {
        layer = writer.write(tree, out, n -> {});
      }
      files.add(blob);
      diffIds.add(layer.diffId());
      layers.add(
          new Descriptor(
              MediaTypes.OCI_LAYER_GZIP,
              layer.digest(),
              layer.size(),
              Map.of(ImageBuilder.LAYER_ANNOTATION, files.size() == 1 ? "base" : "packages")));
    }
    ImageConfig config =
        ImageConfig.create(Instant.ofEpochSecond(EPOCH), Map.of(), diffIds, List.of());
    return new StoredImage(
        name, Manifest.create(config.descriptor(), layers, Map.of()), config, files);
  }
}
