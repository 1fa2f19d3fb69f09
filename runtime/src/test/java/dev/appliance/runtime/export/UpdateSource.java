package dev.appliance.runtime.export;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.appliance.oci.Digest;
import dev.appliance.oci.MediaTypes;
import dev.appliance.registry.RemoteRepository;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * What a registry serves a self-updating export, as the updater tests publish it: under the
 * followed tag an OCI manifest (the updater reads only its digest), and the root-slot artifact.
 */
final class UpdateSource {
  private static final Digest EMPTY_CONFIG =
      Digest.parse("sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");

  private UpdateSource() {}

  /** An image manifest with the empty config and no layers; {@code version} annotates it. */
  static byte[] manifest(String version) {
    return ("{\"schemaVersion\":2,\"mediaType\":\""
            + MediaTypes.OCI_MANIFEST
            + "\",\"config\":{\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"digest\":\""
            + EMPTY_CONFIG
            + "\",\"size\":2},\"layers\":[],\"annotations\":{\"version\":\""
            + version
            + "\"}}")
        .getBytes(StandardCharsets.UTF_8);
  }

  /** Moves {@code tag} to {@code manifest} (its config blob first). */
  static void tag(RemoteRepository remote, String tag, byte[] manifest) throws IOException {
    remote.putBlob(EMPTY_CONFIG, "{}".getBytes(StandardCharsets.UTF_8));
    remote.putManifest(tag, manifest, MediaTypes.OCI_MANIFEST);
  }

  /** The digest of the one layer of the root-slot artifact {@code artifact}: what is downloaded. */
  static String slotBlob(RemoteRepository remote, Digest artifact) throws IOException {
    return new ObjectMapper()
        .readTree(remote.manifest(artifact.toString()).orElseThrow().body())
        .get("layers")
        .get(0)
        .get("digest")
        .asText();
  }
}
