package dev.appliance.builder;

import dev.appliance.oci.ImageConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Future;

/**
 * What the layer loop made: each layer's directory (bottom first, for the final view), its blob
 * (perhaps still being written in the background) and its history entry.
 */
record BuiltLayers(
    List<Path> trees, List<Future<BuildResult.Layer>> pending, List<ImageConfig.History> history) {

  /** Waits for the background writes; the layers in plan order. */
  List<BuildResult.Layer> awaitAll() {
    List<BuildResult.Layer> layers = new ArrayList<>();
    for (Future<BuildResult.Layer> layer : pending) {
      layers.add(BackgroundLayerWriting.await(layer));
    }
    return layers;
  }
}
