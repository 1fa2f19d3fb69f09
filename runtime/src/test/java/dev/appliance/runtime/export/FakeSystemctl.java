package dev.appliance.runtime.export;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A systemctl for the updater scripts run on the host: it appends its arguments to {@code
 * DIR/systemctl.log} instead of talking to the host's systemd.
 */
final class FakeSystemctl {
  private FakeSystemctl() {}

  /** Writes {@code dir/bin/systemctl}; returns {@code dir/bin}, to put first on the PATH. */
  static Path install(Path dir) throws IOException {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path systemctl = bin.resolve("systemctl");
    Files.writeString(systemctl, "#!/bin/sh\necho \"$*\" >> " + log(dir) + "\n");
    systemctl.toFile().setExecutable(true);
    return bin;
  }

  /** What the scripts asked of systemctl, a line per call. */
  static Path log(Path dir) {
    return dir.resolve("systemctl.log");
  }
}
