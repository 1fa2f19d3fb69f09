package dev.appliance.registry;

import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.Descriptor;
import dev.appliance.oci.ImageReference;
import dev.appliance.oci.Manifest;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Checks on the remote side of a transfer, shared by push and pull. */
final class RemoteReferences {
  private RemoteReferences() {}

  /** Parses a remote reference; it must name a registry. */
  static ImageReference parse(String text, String option) {
    ImageReference ref = ImageReference.parse(text);
    if (!ref.hasRegistry()) {
      throw new InvalidInputException(
          option
              + " '"
              + text
              + "' names no registry: write it as "
              + "REGISTRY/REPOSITORY[:TAG], e.g. registry.example/ops/"
              + ref.repository()
              + ":"
              + ref.tagOrDigest());
    }
    // Docker Hub's official images live under library/, as docker resolves "docker.io/nginx".
    if (Endpoint.apiHost(ref.registry()).equals("registry-1.docker.io")
        && !ref.repository().contains("/")) {
      return new ImageReference(
          ref.registry(), "library/" + ref.repository(), ref.tag(), ref.digest());
    }
    return ref;
  }

  /** The config and the layers, each once (a manifest may list the same layer twice). */
  static List<Descriptor> blobsOf(Manifest manifest) {
    Map<String, Descriptor> blobs = new LinkedHashMap<>();
    blobs.put(manifest.config().digest().toString(), manifest.config());
    manifest.layers().forEach(layer -> blobs.putIfAbsent(layer.digest().toString(), layer));
    return new ArrayList<>(blobs.values());
  }
}
