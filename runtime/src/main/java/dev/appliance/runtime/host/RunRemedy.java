package dev.appliance.runtime.host;

import dev.appliance.common.Remedy;

/** What the caller of the runtime could change to let a refused run through. */
public enum RunRemedy implements Remedy {
  /** Allow this image a larger disk than the configured maximum. */
  RAISE_DISK_LIMIT,
  /** Run the engines without the sandbox (unconfined). */
  RUN_UNSANDBOXED
}
