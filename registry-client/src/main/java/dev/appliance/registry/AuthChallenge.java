package dev.appliance.registry;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A registry's {@code WWW-Authenticate} answer: the scheme (Basic or Bearer) and its parameters (a
 * bearer challenge's {@code realm}, {@code service}, {@code scope}).
 */
record AuthChallenge(String scheme, Map<String, String> params) {
  private static final Pattern PARAM = Pattern.compile("(\\w+)=\"([^\"]*)\"");

  static AuthChallenge parse(String header) {
    String text = header == null ? "" : header.strip();
    String scheme = text.split("\\s+", 2)[0];
    Map<String, String> params = new LinkedHashMap<>();
    Matcher m = PARAM.matcher(text);
    while (m.find()) {
      params.put(m.group(1).toLowerCase(java.util.Locale.ROOT), m.group(2));
    }
    return new AuthChallenge(scheme, Map.copyOf(params));
  }

  boolean isBasic() {
    return scheme.equalsIgnoreCase("Basic");
  }

  boolean isBearer() {
    return scheme.equalsIgnoreCase("Bearer");
  }
}
