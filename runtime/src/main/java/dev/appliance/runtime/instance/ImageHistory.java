package dev.appliance.runtime.instance;

import com.fasterxml.jackson.core.type.TypeReference;
import dev.appliance.common.ApplianceException;
import dev.appliance.oci.DataFormat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;

/** The image history of one instance, in its directory's history.json (written atomically). */
final class ImageHistory {
  /** Enough for years of monthly upgrades; older entries are dropped. */
  private static final int KEEP = 100;

  private ImageHistory() {}

  static List<ImageChange> read(InstanceDir dir) {
    Path file = file(dir);
    if (!Files.exists(file)) {
      return List.of();
    }
    try {
      return List.copyOf(
          InstanceDir.JSON.readValue(file.toFile(), new TypeReference<List<ImageChange>>() {}));
    } catch (IOException e) {
      throw new ApplianceException(
          "instance " + dir.name() + ": cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Appends what {@code spec} runs now, with its outcome. */
  static void append(InstanceDir dir, InstanceSpec spec, String outcome, String message) {
    List<ImageChange> all = new ArrayList<>(read(dir));
    all.add(
        new ImageChange(
            InstanceStatus.Clock.now(),
            spec.image(),
            spec.imageDigest(),
            DataFormat.versionOf(spec.data()),
            outcome,
            message));
    List<ImageChange> kept = all.subList(Math.max(0, all.size() - KEEP), all.size());
    Path file = file(dir);
    Path temp = file.resolveSibling("history.json." + ProcessHandle.current().pid() + ".tmp");
    try {
      InstanceDir.JSON.writeValue(temp.toFile(), kept);
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new ApplianceException(
          "instance " + dir.name() + ": cannot write " + file + ": " + e.getMessage(), e);
    }
  }

  private static Path file(InstanceDir dir) {
    return dir.path().resolve("history.json");
  }
}
