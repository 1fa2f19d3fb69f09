package dev.appliance.common;

import java.util.HexFormat;
import java.util.OptionalInt;

/**
 * A program that makes sure of a UTF-8 locale as appliance's Main does; prints its charset and
 * arguments' bytes.
 */
public final class Utf8LocaleMain {
  private Utf8LocaleMain() {}

  public static void main(String[] args) {
    OptionalInt rerun = Utf8Locale.rerunIfNeeded(args.length);
    if (rerun.isPresent()) {
      System.exit(rerun.getAsInt());
    }
    System.out.println(System.getProperty("sun.jnu.encoding"));
    for (String arg : Utf8Locale.arguments(args)) {
      System.out.println(HexFormat.of().formatHex(FileNames.encode(arg)));
    }
    System.exit(3);
  }
}
