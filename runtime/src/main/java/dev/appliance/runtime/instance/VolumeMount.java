package dev.appliance.runtime.instance;

import dev.appliance.common.InvalidInputException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A named volume mounted at a guest path. The name becomes a directory under the data directory and
 * the path a line of the guest's mount table, so both are checked here, whoever builds the value.
 */
public record VolumeMount(String name, String guestPath) {
  private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}");
  private static final Pattern GUEST_PATH = Pattern.compile("/[A-Za-z0-9_./@+-]{0,4095}");

  public VolumeMount {
    if (!isName(name)) {
      throw new InvalidInputException(
          "volume mount "
              + name
              + ":"
              + guestPath
              + ": the name must be 1 to 63"
              + " letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
    if (guestPath == null
        || !GUEST_PATH.matcher(guestPath).matches()
        || guestPath.equals("/")
        || List.of(guestPath.split("/")).contains("..")) {
      throw new InvalidInputException(
          "volume mount "
              + name
              + ":"
              + guestPath
              + ": the guest path must be absolute, not /, without"
              + " '..' or spaces");
    }
  }

  /** Parses {@code NAME:/guest/path}. */
  public static VolumeMount parse(String spec) {
    int colon = spec.indexOf(':');
    if (colon < 0) {
      throw new InvalidInputException("volume mount " + spec + ": expected NAME:/guest/path");
    }
    return new VolumeMount(spec.substring(0, colon), spec.substring(colon + 1));
  }

  /** Whether {@code name} can name a volume (it becomes a directory name). */
  public static boolean isName(String name) {
    return name != null && NAME.matcher(name).matches();
  }
}
