package dev.appliance.oci;

import dev.appliance.common.InvalidInputException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Pattern;

/** A content digest such as {@code sha256:4f2c...}. Only sha256 is produced; sha512 is accepted. */
public record Digest(String algorithm, String hex) implements Comparable<Digest> {
  private static final Pattern SHA256 = Pattern.compile("[a-f0-9]{64}");
  private static final Pattern SHA512 = Pattern.compile("[a-f0-9]{128}");

  /**
   * Only lower-case hex of the algorithm's exact length: a digest names a file in the store ({@code
   * blobs/ALGORITHM/HEX}) and a registry URL, so nothing else (separators, dots, upper case,
   * control characters) may pass.
   */
  public Digest {
    boolean valid =
        algorithm != null
            && hex != null
            && switch (algorithm) {
              case "sha256" -> SHA256.matcher(hex).matches();
              case "sha512" -> SHA512.matcher(hex).matches();
              default -> false;
            };
    if (!valid) {
      throw new InvalidInputException(
          "invalid digest "
              + shown(algorithm + ":" + hex)
              + ": expected sha256:<64 lower-case hex digits>");
    }
  }

  /** Parses {@code algorithm:hex}. */
  public static Digest parse(String text) {
    int colon = text == null ? -1 : text.indexOf(':');
    if (colon < 0) {
      throw new InvalidInputException(
          "invalid digest " + shown(text) + ": expected sha256:<64 hex digits>");
    }
    return new Digest(text.substring(0, colon), text.substring(colon + 1));
  }

  /**
   * Untrusted text for an error message: quoted, control characters escaped, at most 140
   * characters.
   */
  private static String shown(String text) {
    if (text == null) {
      return "(none)";
    }
    StringBuilder out = new StringBuilder("'");
    text.codePoints()
        .limit(140)
        .forEach(
            c -> {
              if (Character.isISOControl(c)) {
                out.append(String.format("\\u%04x", c));
              } else {
                out.appendCodePoint(c);
              }
            });
    return out.append(text.length() > 140 ? "...'" : "'").toString();
  }

  public static Digest sha256(byte[] content) {
    return fromSha256(newSha256().digest(content));
  }

  public static Digest fromSha256(byte[] hash) {
    return new Digest("sha256", HexFormat.of().formatHex(hash));
  }

  public static MessageDigest newSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK always has SHA-256", e);
    }
  }

  /** First 12 hex digits, for tables. */
  public String shortHex() {
    return hex.substring(0, 12);
  }

  @Override
  public String toString() {
    return algorithm + ":" + hex;
  }

  // equals and hashCode written out: a record's own go through invokedynamic, and the first
  // digest compared in a JVM paid 20 ms of method-handle set-up on the path of `run` and `pull`
  // (bench/README.md, session 14).
  @Override
  public boolean equals(Object other) {
    return other instanceof Digest d && algorithm.equals(d.algorithm) && hex.equals(d.hex);
  }

  @Override
  public int hashCode() {
    return 31 * algorithm.hashCode() + hex.hashCode();
  }

  @Override
  public int compareTo(Digest other) {
    return toString().compareTo(other.toString());
  }
}
