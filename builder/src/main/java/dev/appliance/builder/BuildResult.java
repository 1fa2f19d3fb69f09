package dev.appliance.builder;

import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Digest;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * What a build produced.
 *
 * @param tag the tag in the local store (null when not stored)
 * @param manifest the image manifest's descriptor (null when not stored)
 * @param layers bottom first
 * @param timings stage name to duration, in order
 * @param packages the installed packages, as a lock file would list them
 */
public record BuildResult(
    String tag,
    Descriptor manifest,
    List<Layer> layers,
    Map<String, Duration> timings,
    LockFile packages) {

  /**
   * @param name what the layer holds, e.g. {@code base}, {@code packages lamp}, {@code files lamp}
   * @param cached whether it came from the layer cache
   */
  public record Layer(String name, Digest digest, Digest diffId, long size, boolean cached) {}
}
