package dev.appliance.cli;

import dev.appliance.runtime.instance.ImageLimits;
import picocli.CommandLine.Option;

/** {@code --max-disk-size} of the commands that assemble an image's disk (run, export). */
final class ImageLimitsOptions {
  @Option(
      names = "--max-disk-size",
      paramLabel = "SIZE",
      converter = SizeConverter.class,
      description = "Refuse an image that declares a larger root disk, e.g. 128G (default: 64G).")
  Long maxDiskBytes;

  ImageLimits limits() {
    return maxDiskBytes == null ? ImageLimits.DEFAULTS : new ImageLimits(maxDiskBytes);
  }
}
