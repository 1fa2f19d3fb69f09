package dev.appliance.runtime.export;

import dev.appliance.common.InvalidInputException;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The first-boot parameter {@value #PARAM} of a self-updating disk: how often the guest checks the
 * tag it follows (docs/export.md "Updates"). Checked here as the guest's updater checks it
 * (recipes/base/files/appliance-update, {@code schedule}), so that export refuses at once what the
 * guest would refuse at every boot.
 *
 * @param value the systemd time span written into the timer's drop-in, e.g. {@code 30min}
 * @param interval what it means
 */
public record UpdateInterval(String value, Duration interval) {
  public static final String PARAM = "update_interval";

  // One number without leading zero and one unit: what both systemd and the guest's shell check
  // read the same way.
  private static final Pattern FORM = Pattern.compile("([1-9][0-9]{0,5})(s|min|h|d)");
  private static final Duration MIN = Duration.ofMinutes(1);
  private static final Duration MAX = Duration.ofDays(30);
  private static final int SHOWN = 40;

  /**
   * @throws InvalidInputException naming the parameter and the accepted form
   */
  public static UpdateInterval parse(String value) {
    Matcher m = FORM.matcher(value);
    if (m.matches()) {
      long n = Long.parseLong(m.group(1));
      Duration interval =
          switch (m.group(2)) {
            case "s" -> Duration.ofSeconds(n);
            case "min" -> Duration.ofMinutes(n);
            case "h" -> Duration.ofHours(n);
            default -> Duration.ofDays(n);
          };
      if (interval.compareTo(MIN) >= 0 && interval.compareTo(MAX) <= 0) {
        return new UpdateInterval(value, interval);
      }
    }
    String shown = value.length() > SHOWN ? value.substring(0, SHOWN) + "..." : value;
    throw new InvalidInputException(
        "first-boot parameter "
            + PARAM
            + " '"
            + shown.replaceAll("\\p{Cntrl}", "?")
            + "': must be one number and one unit (s, min, h or d) from 1min to 30d, like 30min,"
            + " 6h or 1d");
  }
}
