package dev.appliance.signing.internal;

/** Untrusted text made safe for one line of an error message. */
public final class Text {
  private static final int MAX = 140;

  private Text() {}

  /** Control characters escaped, at most 140 characters. */
  public static String shown(String text) {
    if (text == null) {
      return "(none)";
    }
    StringBuilder out = new StringBuilder();
    text.codePoints()
        .limit(MAX)
        .forEach(
            c -> {
              if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", c));
              } else {
                out.appendCodePoint(c);
              }
            });
    return text.length() > MAX ? out.append("...").toString() : out.toString();
  }
}
