package dev.appliance.cli;

import dev.appliance.builder.ImageDiff;
import dev.appliance.builder.Rebuild;
import dev.appliance.oci.Digest;
import java.util.List;

/**
 * What {@code verify --rebuild --json} prints: digests as strings, each layer's verdict.
 *
 * @param layers bottom first; a digest is null where only one image has the layer
 * @param files the differing paths, as {@code diff --json} prints them
 */
record Rebuilt(
    String image,
    String source,
    boolean identical,
    String digest,
    String rebuiltDigest,
    boolean configIdentical,
    List<Layer> layers,
    List<ImageDiff.Change> files) {

  record Layer(int index, String name, boolean identical, String digest, String rebuiltDigest) {}

  static Rebuilt of(Rebuild.Result r) {
    return new Rebuilt(
        r.image(),
        r.source(),
        r.identical(),
        r.original().toString(),
        r.rebuilt().toString(),
        r.configIdentical(),
        r.layers().stream()
            .map(
                l ->
                    new Layer(
                        l.index(), l.name(), l.identical(), text(l.original()), text(l.rebuilt())))
            .toList(),
        r.files());
  }

  private static String text(Digest digest) {
    return digest == null ? null : digest.toString();
  }
}
