package dev.appliance.runtime.host;

import dev.appliance.common.Remedy;

/** What the caller of the runtime could change to let a refused operation through. */
public enum RunRemedy implements Remedy {
  /** Allow this image a larger disk than the configured maximum. */
  RAISE_DISK_LIMIT,
  /** Run the engines without the sandbox (unconfined). */
  RUN_UNSANDBOXED,
  /** Let the backup stop the instance using the volume and start it again afterwards. */
  STOP_FOR_BACKUP,
  /** Allow a larger backup than the configured maximum. */
  RAISE_BACKUP_LIMIT,
  /** Back up in larger chunks (fewer of them). */
  LARGER_CHUNKS,
  /** Replace the existing volume. */
  REPLACE_VOLUME,
  /** Roll back with the volumes' snapshot restored, or run the older image on the snapshot. */
  RESTORE_SNAPSHOT,
  /** Export for KubeVirt, the only output with a persistent root disk. */
  EXPORT_TO_KUBEVIRT
}
