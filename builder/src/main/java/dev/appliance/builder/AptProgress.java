package dev.appliance.builder;

import java.util.Locale;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Turns apt's output (from mmdebstrap --verbose and apt-get -q) into download progress: "Need to
 * get 45.2 MB of archives." gives the total, and each following "Get:N ... [1,234 kB]" line a
 * package's size. Every line is still passed on as a log line.
 */
final class AptProgress implements Consumer<String> {
  static final String WHAT = "download";
  private static final Pattern NEED =
      Pattern.compile("^Need to get ([0-9.,]+ [kMG]?B)(?:/[0-9.,]+ [kMG]?B)? of archives");
  private static final Pattern GET = Pattern.compile("^Get:\\d+ .*\\[([0-9.,]+ [kMG]?B)]$");

  private final BuildListener listener;
  private long total = -1;
  private long done;

  AptProgress(BuildListener listener) {
    this.listener = listener;
  }

  @Override
  public synchronized void accept(String line) {
    listener.log(line);
    Matcher need = NEED.matcher(line);
    if (need.find()) {
      total = bytes(need.group(1));
      done = 0;
      listener.progress(WHAT, 0, total);
      return;
    }
    Matcher get = GET.matcher(line);
    if (total > 0 && done < total && get.find()) {
      done = Math.min(total, done + bytes(get.group(1)));
      listener.progress(WHAT, done, total);
    }
  }

  /** apt's sizes: SI units, thousands separated by commas, e.g. "9,670 kB". */
  static long bytes(String size) {
    String[] parts = size.replace(",", "").split(" ");
    double value = Double.parseDouble(parts[0]);
    long unit =
        switch (parts[1].toUpperCase(Locale.ROOT)) {
          case "KB" -> 1000L;
          case "MB" -> 1000_000L;
          case "GB" -> 1000_000_000L;
          default -> 1L;
        };
    return Math.round(value * unit);
  }
}
