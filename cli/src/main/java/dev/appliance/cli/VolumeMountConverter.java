package dev.appliance.cli;

import dev.appliance.runtime.instance.VolumeMount;

/** A {@code --volume NAME:/GUEST/PATH} value as a {@link VolumeMount}. */
final class VolumeMountConverter extends LibraryConverter<VolumeMount> {
  VolumeMountConverter() {
    super(VolumeMount::parse);
  }
}
