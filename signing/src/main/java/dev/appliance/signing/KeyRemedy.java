package dev.appliance.signing;

import dev.appliance.common.Remedy;

/** What the caller could change when generating a key pair is refused. */
public enum KeyRemedy implements Remedy {
  /** Write the key pair under another name, or replace the existing files. */
  OTHER_NAME_OR_REPLACE
}
