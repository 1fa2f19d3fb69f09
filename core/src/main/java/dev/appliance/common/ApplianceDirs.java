package dev.appliance.common;

import java.nio.file.Path;
import java.util.Map;

/**
 * Where appliance keeps its data: {@code $APPLIANCE_HOME} when set (data and state both beneath
 * it), else the XDG base directories.
 *
 * @param data images, blobs, caches ({@code $XDG_DATA_HOME/appliance})
 * @param state instances and their runtime files ({@code $XDG_STATE_HOME/appliance})
 */
public record ApplianceDirs(Path data, Path state) {

  public static ApplianceDirs fromEnvironment() {
    return from(System.getenv(), home(System.getenv()));
  }

  /**
   * The invoking user's home: {@code $HOME} as the XDG spec says, else the password database's.
   * Inside a rootless build's user namespace the process is uid 0, whose home is root's, while
   * {@code $HOME} is still the user's.
   */
  public static Path home(Map<String, String> env) {
    String home = env.get("HOME");
    return home != null && home.startsWith("/")
        ? Path.of(home)
        : Path.of(System.getProperty("user.home"));
  }

  static ApplianceDirs from(Map<String, String> env, Path home) {
    String applianceHome = env.get("APPLIANCE_HOME");
    if (applianceHome != null && !applianceHome.isBlank()) {
      Path root = Path.of(applianceHome).toAbsolutePath();
      return new ApplianceDirs(root.resolve("data"), root.resolve("state"));
    }
    Path data = xdg(env, "XDG_DATA_HOME", home.resolve(".local/share"));
    Path state = xdg(env, "XDG_STATE_HOME", home.resolve(".local/state"));
    return new ApplianceDirs(data.resolve("appliance"), state.resolve("appliance"));
  }

  private static Path xdg(Map<String, String> env, String name, Path fallback) {
    String value = env.get(name);
    // The XDG spec says relative values are invalid and must be ignored.
    return value != null && value.startsWith("/") ? Path.of(value) : fallback;
  }

  /** The OCI image layout holding every local image. */
  public Path store() {
    return data.resolve("store");
  }

  /** Downloaded .deb files, kept by SHA-256. */
  public Path debCache() {
    return data.resolve("cache/debs");
  }

  /** Assembled base disks, one per image digest. */
  public Path diskCache() {
    return data.resolve("cache/disks");
  }

  /** One directory per instance. */
  public Path instances() {
    return state.resolve("instances");
  }
}
