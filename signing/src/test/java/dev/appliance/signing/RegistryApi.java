package dev.appliance.signing;

import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Digest;
import dev.appliance.oci.Manifest;
import dev.appliance.oci.MediaTypes;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The few registry API calls the signing tests need, in plain HTTP against a real docker-registry
 * on 127.0.0.1: deliberately not the appliance registry client, so these tests prove the signature
 * format independently of it (issue #13).
 */
final class RegistryApi {
  private final HttpClient http = HttpClient.newHttpClient();
  private final String base;

  RegistryApi(String host) {
    this.base = "http://" + host + "/v2/";
  }

  /** The manifest bytes, or null when the registry has none under {@code reference}. */
  byte[] manifest(String repository, String reference) throws IOException, InterruptedException {
    HttpResponse<byte[]> response =
        http.send(
            HttpRequest.newBuilder(URI.create(base + repository + "/manifests/" + reference))
                .header("Accept", MediaTypes.OCI_MANIFEST + ", " + MediaTypes.DOCKER_MANIFEST)
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() == 404) {
      return null;
    }
    check(response, "GET manifest " + reference);
    return response.body();
  }

  byte[] blob(String repository, Digest digest) throws IOException, InterruptedException {
    HttpResponse<byte[]> response =
        http.send(
            HttpRequest.newBuilder(URI.create(base + repository + "/blobs/" + digest)).build(),
            HttpResponse.BodyHandlers.ofByteArray());
    check(response, "GET blob " + digest);
    return response.body();
  }

  /**
   * The signature manifest stored under {@code sha256-<hex>.sig} and its blobs, as a transport
   * would fetch them.
   */
  SignatureManifest signatureOf(String repository, Digest image)
      throws IOException, InterruptedException {
    Manifest manifest =
        Manifest.parse(manifest(repository, SignatureManifest.tagFor(image)), "signature manifest");
    Map<Digest, byte[]> blobs = new HashMap<>();
    blobs.put(manifest.config().digest(), blob(repository, manifest.config().digest()));
    for (Descriptor layer : manifest.layers()) {
      blobs.put(layer.digest(), blob(repository, layer.digest()));
    }
    return new SignatureManifest(manifest, blobs);
  }

  /**
   * Uploads the blobs and puts the manifest under {@code tag}, in a single monolithic upload per
   * blob.
   */
  void put(String repository, SignatureManifest signature, String tag)
      throws IOException, InterruptedException {
    for (Map.Entry<Digest, byte[]> blob : signature.blobs().entrySet()) {
      HttpResponse<Void> start =
          http.send(
              HttpRequest.newBuilder(URI.create(base + repository + "/blobs/uploads/"))
                  .POST(HttpRequest.BodyPublishers.noBody())
                  .build(),
              HttpResponse.BodyHandlers.discarding());
      check(start, "POST upload");
      String location = start.headers().firstValue("Location").orElseThrow();
      URI upload =
          URI.create(base)
              .resolve(location + (location.contains("?") ? "&" : "?") + "digest=" + blob.getKey());
      check(
          http.send(
              HttpRequest.newBuilder(upload)
                  .PUT(HttpRequest.BodyPublishers.ofByteArray(blob.getValue()))
                  .header("Content-Type", "application/octet-stream")
                  .build(),
              HttpResponse.BodyHandlers.discarding()),
          "PUT blob");
    }
    Manifest manifest = signature.manifest();
    check(
        http.send(
            HttpRequest.newBuilder(URI.create(base + repository + "/manifests/" + tag))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(manifest.raw()))
                .header("Content-Type", manifest.mediaType())
                .build(),
            HttpResponse.BodyHandlers.discarding()),
        "PUT manifest");
  }

  private static void check(HttpResponse<?> response, String what) throws IOException {
    if (!List.of(200, 201, 202).contains(response.statusCode())) {
      throw new IOException(what + ": HTTP " + response.statusCode() + " " + response.body());
    }
  }
}
