package dev.appliance.runtime.export;

import dev.appliance.common.InvalidInputException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * A persistent disk for the appliance's state: the exported disk's boot entry names the state
 * directories ({@code appliance.state=/a,/b} on the kernel command line) and the guest's first-boot
 * unit bind-mounts them from the disk whose serial is {@value #SERIAL}, formatting it when blank.
 * The KubeVirt manifest attaches a blank CDI DataVolume of {@code bytes} with that serial.
 *
 * @param dirs absolute directories in the image; empty: no state volume
 * @param bytes size of the volume
 */
public record StateVolume(List<String> dirs, long bytes) {
  /**
   * The disk serial the guest looks for (KubeVirt {@code disks[].serial}, QEMU {@code serial=}).
   */
  public static final String SERIAL = "appliance-state";

  public static final long DEFAULT_BYTES = 1L << 30;

  /** No state volume. */
  public static final StateVolume NONE = new StateVolume(List.of(), DEFAULT_BYTES);

  // The paths end up on the kernel command line and in a shell loop in the guest: plain
  // characters only, so nothing can split, quote or escape.
  private static final Pattern SAFE_DIR = Pattern.compile("(/[A-Za-z0-9._+-]+)+");
  private static final int MAX_DIR = 200;
  private static final int MAX_DIRS = 16;

  /**
   * @throws InvalidInputException naming the directory that is not absolute, plain or short enough
   */
  public StateVolume {
    dirs = List.copyOf(dirs);
    if (dirs.size() > MAX_DIRS) {
      throw new InvalidInputException(
          "at most " + MAX_DIRS + " state directories, got " + dirs.size());
    }
    for (String dir : dirs) {
      if (dir.length() > MAX_DIR
          || !SAFE_DIR.matcher(dir).matches()
          || ("/" + dir + "/").contains("/../")
          || ("/" + dir + "/").contains("/./")) {
        throw new InvalidInputException(
            "state directory '"
                + dir.replaceAll("\\p{Cntrl}", "?")
                + "': must be an absolute path of letters, digits and . _ + - (no . or .."
                + " components), at most "
                + MAX_DIR
                + " characters");
      }
    }
    if (dirs.stream().distinct().count() != dirs.size()) {
      throw new InvalidInputException("state directory given twice: " + dirs);
    }
    if (bytes < (1L << 20)) {
      throw new InvalidInputException("state volume size must be at least 1M, got " + bytes);
    }
  }

  public boolean present() {
    return !dirs.isEmpty();
  }

  /** What the boot entry adds to the kernel command line; empty without state dirs. */
  String kernelArgument() {
    return present() ? "appliance.state=" + String.join(",", dirs) : "";
  }

  String quantity() {
    return KubeVirt.quantity(bytes);
  }
}
