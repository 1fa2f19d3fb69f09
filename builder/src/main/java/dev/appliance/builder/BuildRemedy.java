package dev.appliance.builder;

import dev.appliance.common.Remedy;

/** What the caller of the builder could change to let a refused build through. */
public enum BuildRemedy implements Remedy {
  /** Name the Debian mirror for the build (BuildOptions#mirror). */
  NAME_MIRROR,
  /** Build against a mirror snapshot that still has the locked versions (BuildOptions#mirror). */
  SNAPSHOT_MIRROR,
  /** Build again without the layer cache (BuildOptions#useLayerCache), which names the culprit. */
  REBUILD_WITHOUT_CACHE,
  /** Rebuild from the recipe's directory as it is rather than from a recorded git commit. */
  REBUILD_FROM_DIRECTORY
}
