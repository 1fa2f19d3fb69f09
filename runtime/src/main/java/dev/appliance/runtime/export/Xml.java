package dev.appliance.runtime.export;

/** Escaping for the XML we write by hand (small, fixed documents). */
final class Xml {
  private Xml() {}

  static String escape(String s) {
    return s.replace("&", "&amp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("\"", "&quot;")
        .replace("'", "&apos;");
  }
}
