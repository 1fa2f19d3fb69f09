package dev.appliance.builder;

import java.nio.file.Path;
import java.util.List;

/**
 * Produces the directory of one layer. {@link RootfsSteps} is the real one (mmdebstrap, overlayfs,
 * chroot: root only); the layer loop depends on this interface alone, so its cache branches are
 * testable without root.
 */
@FunctionalInterface
interface LayerProducer {
  /**
   * Builds {@code tree} (not existing yet) on top of {@code lowerTrees}, bottom first, using {@code
   * work} for scratch files.
   */
  void produce(LayerPlan.Step step, List<Path> lowerTrees, Path work, Path tree);
}
