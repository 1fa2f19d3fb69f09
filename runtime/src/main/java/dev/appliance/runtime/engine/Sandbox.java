package dev.appliance.runtime.engine;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Turns a command into one that runs confined to what a {@link Confinement} allows. */
public interface Sandbox {
  /**
   * No confinement: the command runs with the user's whole view of the host ({@code --no-sandbox}).
   */
  Sandbox NONE = (command, workDir, env, confinement) -> new ArrayList<>(command);

  /**
   * @param workDir the command's working directory (inside the sandbox too)
   * @param env variables the command must see; inside a sandbox the only ones besides PATH and
   *     TMPDIR
   * @return the command line to start instead of {@code command}
   */
  List<String> wrap(
      List<String> command, Path workDir, Map<String, String> env, Confinement confinement);
}
