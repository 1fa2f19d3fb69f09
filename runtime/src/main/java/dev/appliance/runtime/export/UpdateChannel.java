package dev.appliance.runtime.export;

import dev.appliance.common.InvalidInputException;
import java.nio.file.Path;
import java.util.regex.Pattern;

/**
 * Whether an exported disk updates itself from a registry (docs/export.md "Updates"): two root
 * slots and a data partition, or today's single root.
 *
 * @param enabled A/B root slots, a data partition and the updater's configuration on the disk
 * @param follow {@code [http://]REGISTRY/REPOSITORY:TAG} the appliance follows; null: none until a
 *     first-boot parameter {@code update_from} names one
 * @param caCert PEM file the guest trusts for that registry's TLS, besides its system CAs; null:
 *     the system CAs only
 * @param dataBytes size of the data partition (state directories and downloads)
 * @param signingKey cosign public key (PEM) whose signatures of the new image and of its root-slot
 *     artifact the guest requires before it writes a slot; null: no signature required
 */
public record UpdateChannel(
    boolean enabled, String follow, Path caCert, long dataBytes, Path signingKey) {
  public static final long DEFAULT_DATA_BYTES = 1L << 30;

  /** The single-slot disk of exports without updates. */
  public static final UpdateChannel NONE =
      new UpdateChannel(false, null, null, DEFAULT_DATA_BYTES, null);

  // Written into a file the guest's shell updater reads and passed to curl as one argument: plain
  // characters only, so nothing can split, quote or escape.
  private static final Pattern FOLLOW =
      Pattern.compile(
          "(http://)?[A-Za-z0-9.-]+(:[0-9]{1,5})?/[a-z0-9]+([._/-][a-z0-9]+)*:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");

  private static final int MAX_FOLLOW = 255;

  /**
   * @throws InvalidInputException naming the reference that cannot be followed
   */
  public UpdateChannel {
    if (!enabled && (follow != null || caCert != null || signingKey != null)) {
      throw new InvalidInputException(
          "an update source, CA or key is given, but updates are off (a single-slot disk or a"
              + " KubeVirt export)");
    }
    if (follow != null && (follow.length() > MAX_FOLLOW || !FOLLOW.matcher(follow).matches())) {
      throw new InvalidInputException(
          "update source '"
              + follow.replaceAll("\\p{Cntrl}", "?")
              + "': must be [http://]REGISTRY/REPOSITORY:TAG (registry host with an optional port,"
              + " lower-case repository, a tag), at most "
              + MAX_FOLLOW
              + " characters");
    }
    if (dataBytes < (64L << 20)) {
      throw new InvalidInputException("data partition must be at least 64M, got " + dataBytes);
    }
  }

  /** Updates on, following {@code follow} (null: set later by a first-boot parameter). */
  public static UpdateChannel following(String follow, Path caCert, long dataBytes) {
    return new UpdateChannel(true, follow, caCert, dataBytes, null);
  }

  /** The same channel, requiring signatures by {@code publicKey} (a cosign PEM public key). */
  public UpdateChannel signedBy(Path publicKey) {
    return new UpdateChannel(enabled, follow, caCert, dataBytes, publicKey);
  }
}
