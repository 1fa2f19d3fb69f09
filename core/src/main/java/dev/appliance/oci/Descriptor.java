package dev.appliance.oci;

import java.util.Map;
import java.util.TreeMap;

/** An OCI content descriptor: what a blob is, its digest and size. */
public record Descriptor(
    String mediaType, Digest digest, long size, Map<String, String> annotations) {
  /**
   * The largest blob a descriptor may claim (1 TiB): larger sizes are nonsense or an attack on
   * limits.
   */
  public static final long MAX_SIZE = 1L << 40;

  public Descriptor {
    annotations = annotations == null ? Map.of() : Map.copyOf(new TreeMap<>(annotations));
  }

  public Descriptor(String mediaType, Digest digest, long size) {
    this(mediaType, digest, size, Map.of());
  }

  public Descriptor withAnnotations(Map<String, String> extra) {
    Map<String, String> merged = new TreeMap<>(annotations);
    merged.putAll(extra);
    return new Descriptor(mediaType, digest, size, merged);
  }
}
