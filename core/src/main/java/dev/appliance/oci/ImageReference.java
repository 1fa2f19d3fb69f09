package dev.appliance.oci;

import dev.appliance.common.InvalidInputException;
import java.util.regex.Pattern;

/**
 * An image name: {@code [REGISTRY/]REPOSITORY[:TAG][@DIGEST]}, following the distribution reference
 * grammar. Without a registry it names an image in the local store only; {@code localhost}, or a
 * first component with a dot or a port, is a registry.
 *
 * @param registry host[:port], or null for a local-only name
 * @param repository e.g. {@code ops/lamp}
 * @param tag never null when {@code digest} is null ({@code latest} by default)
 * @param digest pins the manifest, or null
 */
public record ImageReference(String registry, String repository, String tag, Digest digest) {
  private static final Pattern COMPONENT = Pattern.compile("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
  private static final Pattern TAG = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
  private static final String OCTET = "(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])";
  private static final Pattern LOOPBACK_V4 = Pattern.compile("127(?:\\." + OCTET + "){3}");

  /** {@code [::1]} in its short and long spellings. */
  private static final Pattern LOOPBACK_V6 = Pattern.compile("\\[(?:0{0,4}:){2,7}0{0,3}1]");

  private static final Pattern REGISTRY =
      Pattern.compile("(?:[A-Za-z0-9-]+(?:\\.[A-Za-z0-9-]+)*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?");

  public static ImageReference parse(String text) {
    if (text == null || text.isBlank()) {
      throw new InvalidInputException("empty image reference");
    }
    String rest = text;
    Digest digest = null;
    int at = rest.indexOf('@');
    if (at >= 0) {
      digest = parseDigest(rest.substring(at + 1), text);
      rest = rest.substring(0, at);
    }
    String registry = null;
    int slash = rest.indexOf('/');
    if (slash > 0) {
      String first = rest.substring(0, slash);
      if (first.contains(".") || first.contains(":") || first.equals("localhost")) {
        if (!REGISTRY.matcher(first).matches()) {
          throw invalid(text, "'" + first + "' is not a valid registry host[:port]");
        }
        registry = first;
        rest = rest.substring(slash + 1);
      }
    }
    String tag = null;
    int colon = rest.lastIndexOf(':');
    if (colon >= 0) {
      tag = rest.substring(colon + 1);
      rest = rest.substring(0, colon);
      if (!TAG.matcher(tag).matches()) {
        throw invalid(
            text, "'" + tag + "' is not a valid tag (letters, digits, '_', '.', '-'; at most 128)");
      }
    }
    for (String component : rest.split("/", -1)) {
      if (!COMPONENT.matcher(component).matches()) {
        throw invalid(
            text,
            "'"
                + component
                + "' is not a valid name component (lower-case letters, digits, separators '.', '_', '-')");
      }
    }
    if (tag == null && digest == null) {
      tag = "latest";
    }
    return new ImageReference(registry, rest, tag, digest);
  }

  private static Digest parseDigest(String text, String whole) {
    try {
      return Digest.parse(text);
    } catch (InvalidInputException e) {
      throw invalid(whole, e.getMessage());
    }
  }

  private static InvalidInputException invalid(String text, String why) {
    return new InvalidInputException("invalid image reference '" + text + "': " + why);
  }

  public boolean hasRegistry() {
    return registry != null;
  }

  /**
   * Loopback registries may be spoken to over plain HTTP without --insecure. Loopback means {@code
   * localhost}, an IPv4 literal in 127.0.0.0/8, or the IPv6 literal {@code [::1]}; never a name
   * that merely looks like one (such as {@code 127.0.0.1.example.com}, which DNS may point
   * anywhere). No name is looked up to decide.
   */
  public boolean isLoopbackRegistry() {
    if (registry == null) {
      return false;
    }
    String host =
        registry.startsWith("[")
            ? registry.substring(0, registry.indexOf(']') + 1)
            : registry.split(":")[0];
    return host.equals("localhost")
        || LOOPBACK_V4.matcher(host).matches()
        || LOOPBACK_V6.matcher(host).matches();
  }

  /** The same name with another tag, no digest. */
  public ImageReference withTag(String newTag) {
    return new ImageReference(registry, repository, newTag, null);
  }

  /** What follows the repository in registry URLs: the digest if pinned, else the tag. */
  public String tagOrDigest() {
    return digest != null ? digest.toString() : tag;
  }

  @Override
  public String toString() {
    StringBuilder s = new StringBuilder();
    if (registry != null) {
      s.append(registry).append('/');
    }
    s.append(repository);
    if (tag != null) {
      s.append(':').append(tag);
    }
    if (digest != null) {
      s.append('@').append(digest);
    }
    return s.toString();
  }
}
