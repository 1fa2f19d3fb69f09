package dev.appliance.runtime.export;

import java.nio.file.Path;
import java.util.List;

/**
 * What an export wrote.
 *
 * @param disk the disk (or the .ova)
 * @param files every file written, the disk first
 * @param containerDisk the KubeVirt containerDisk reference, or null
 */
public record ExportResult(Path disk, List<Path> files, String containerDisk) {
  public ExportResult {
    files = List.copyOf(files);
  }
}
