package dev.appliance.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.ApplianceException;
import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageReference;
import dev.appliance.oci.Manifest;
import dev.appliance.store.ImageStore;
import dev.appliance.store.StoredImage;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

/** Push and pull against a real anonymous plain-HTTP docker-registry on 127.0.0.1. */
class PushPullTest extends PlainRegistryTest {
  private ImageStore store(String name) {
    return ImageStore.open(dir.resolve(name));
  }

  @Test
  void aPushedImageKeepsItsDigestAndPullsBackByteForByte() throws IOException {
    ImageStore local = store("local");
    Manifest manifest =
        TestImages.image(
            local,
            "lamp:1.0.0",
            List.of(TestImages.layer(local, 1, 300_000), TestImages.layer(local, 2, 50_000)));

    PushResult pushed =
        new ImagePusher(local, options(), TransferListener.NONE)
            .push("lamp:1.0.0", remote("ops/lamp:1.0.0"));
    assertEquals(manifest.digest(), pushed.digest());
    assertEquals(3, pushed.blobsSent());
    assertEquals(manifest.layersSize() + manifest.config().size(), pushed.bytesSent());

    ImageStore other = store("other");
    PullResult pulled =
        new ImagePuller(other, options(), TransferListener.NONE).pull(remote("ops/lamp:1.0.0"));
    assertEquals(manifest.digest(), pulled.digest());
    assertEquals(remote("ops/lamp:1.0.0"), pulled.localName());
    StoredImage copy = other.get(pulled.localName());
    StoredImage original = local.get("lamp:1.0.0");
    assertArrayEquals(original.manifest().raw(), copy.manifest().raw());
    assertArrayEquals(original.config().raw(), copy.config().raw());
    for (int i = 0; i < original.layerFiles().size(); i++) {
      assertEquals(-1L, Files.mismatch(original.layerFiles().get(i), copy.layerFiles().get(i)));
    }
    assertEquals("lamp", copy.metadata().name());
  }

  @Test
  void sharedLayersAreNeitherUploadedNorDownloadedTwice() throws IOException {
    ImageStore local = store("local");
    TestImages.Layer base = TestImages.layer(local, 10, 400_000);
    TestImages.Layer web = TestImages.layer(local, 11, 100_000);
    TestImages.Layer ids = TestImages.layer(local, 12, 120_000);
    TestImages.image(local, "lamp:1", List.of(base, web));
    Manifest snort = TestImages.image(local, "snort:1", List.of(base, ids));

    ImagePusher pusher = new ImagePusher(local, options(), TransferListener.NONE);
    pusher.push("lamp:1", remote("dedup/lamp:1"));
    PushResult second = pusher.push("snort:1", remote("dedup/snort:1"));
    // The base layer went up with lamp; snort sends only its own layer and config.
    assertEquals(1, second.blobsSkipped());
    assertEquals(ids.descriptor().size() + snort.config().size(), second.bytesSent());

    ImageStore other = store("other");
    ImagePuller puller = new ImagePuller(other, options(), TransferListener.NONE);
    puller.pull(remote("dedup/lamp:1"));
    PullResult pulled = puller.pull(remote("dedup/snort:1"));
    assertEquals(1, pulled.blobsSkipped());
    assertEquals(ids.descriptor().size() + snort.config().size(), pulled.bytesReceived());
  }

  /**
   * Pushes a one-layer image, changes the layer in the registry's storage, pulls it into a fresh
   * store.
   */
  private void pullAfterDamagingTheLayer(
      String repository, UnaryOperator<byte[]> damage, String expectedError) throws IOException {
    ImageStore local = store("local");
    TestImages.Layer layer = TestImages.layer(local, repository.hashCode(), 200_000);
    // A big healthy layer still downloading when the damaged one fails: it must stop and leave
    // nothing.
    TestImages.image(local, "app:1", List.of(TestImages.layer(local, 99, 8 << 20), layer));
    new ImagePusher(local, options(), TransferListener.NONE)
        .push("app:1", remote(repository + ":1"));
    Path blob = registry.blobFile(layer.descriptor().digest().toString());
    Files.write(blob, damage.apply(Files.readAllBytes(blob)));

    ImageStore other = store("other");
    ApplianceException e =
        assertThrows(
            ApplianceException.class,
            () ->
                new ImagePuller(other, options(), TransferListener.NONE)
                    .pull(remote(repository + ":1")));
    assertTrue(e.getMessage().contains(expectedError), e.getMessage());
    // Nothing of the bad blob, no image, no leftovers of the interrupted download.
    assertTrue(other.tags().isEmpty());
    assertFalse(other.hasBlob(layer.descriptor().digest()));
    try (var temps = Files.list(other.root().resolve("tmp"))) {
      assertEquals(0, temps.count());
    }
  }

  @Test
  void aCorruptedBlobInTheRegistryIsRefusedAndTheStoreStaysAsItWas() throws IOException {
    pullAfterDamagingTheLayer(
        "corrupt/app",
        bytes -> {
          bytes[bytes.length / 2] ^= 0x5a;
          return bytes;
        },
        "digest mismatch");
  }

  @Test
  void aTruncatedBlobIsRefused() throws IOException {
    pullAfterDamagingTheLayer(
        "truncated/app", bytes -> Arrays.copyOf(bytes, 1000), "ended after 1000 of");
  }

  /**
   * What push --root-slot relies on: what is published before the tag (the root-slot artifact) goes
   * up while the new image is in the repository by digest and the tag still names the old one, so a
   * client following the tag never sees the new digest without it.
   */
  @Test
  void somethingPublishedBeforeTheTagSeesTheImageByDigestAndTheTagNotYetMoved() throws IOException {
    ImageStore local = store("local");
    Manifest old = TestImages.image(local, "web:1", List.of(TestImages.layer(local, 20, 10_000)));
    Manifest next = TestImages.image(local, "web:2", List.of(TestImages.layer(local, 21, 10_000)));
    ImagePusher pusher = new ImagePusher(local, options(), TransferListener.NONE);
    pusher.push("web:1", remote("follow/web:stable"));
    List<String> seen = new ArrayList<>();
    PushResult pushed =
        pusher.push(
            "web:2",
            remote("follow/web:stable"),
            image -> {
              seen.add(image.toString());
              seen.add(manifestAt("follow/web", next.digest().toString()));
              seen.add(manifestAt("follow/web", "stable"));
            });
    assertEquals(
        List.of(
            remote("follow/web@" + next.digest()), "200 " + next.digest(), "200 " + old.digest()),
        seen,
        "by digest, the tag not yet moved");
    assertEquals(next.digest(), pushed.digest());
    assertEquals("200 " + next.digest(), manifestAt("follow/web", "stable"), "then the tag moved");
  }

  /** "STATUS DIGEST" of GET manifests/{@code reference}, as a client following the tag sees it. */
  private static String manifestAt(String repository, String reference) {
    try {
      HttpResponse<byte[]> get =
          registry.get(
              "/v2/" + repository + "/manifests/" + reference,
              "application/vnd.oci.image.manifest.v1+json",
              HttpResponse.BodyHandlers.ofByteArray());
      return get.statusCode() + " " + Digest.sha256(get.body());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  @Test
  void anIndexIsNotPulledAsAnImage() throws Exception {
    byte[] index =
        "{\"schemaVersion\":2,\"mediaType\":\"application/vnd.oci.image.index.v1+json\",\"manifests\":[]}"
            .getBytes();
    HttpResponse<String> put =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://" + registry.host() + "/v2/multi/app/manifests/1"))
                    .header("Content-Type", "application/vnd.oci.image.index.v1+json")
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(index))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(201, put.statusCode(), put.body());

    ImageStore other = store("other");
    ApplianceException e =
        assertThrows(
            ApplianceException.class,
            () ->
                new ImagePuller(other, options(), TransferListener.NONE)
                    .pull(remote("multi/app:1")));
    assertTrue(e.getMessage().contains("not an image manifest"), e.getMessage());
    assertTrue(other.tags().isEmpty());
  }

  @Test
  void anImageNamedForTheRegistryIsPushedWithoutADestinationAndPulledByDigest() throws IOException {
    ImageStore local = store("local");
    String name = remote("named/app:3");
    Manifest manifest = TestImages.image(local, name, List.of(TestImages.layer(local, 80, 5_000)));
    assertEquals(
        manifest.digest(),
        new ImagePusher(local, options(), TransferListener.NONE).push(name, null).digest());

    ImageStore other = store("other");
    String byDigest = remote("named/app@" + manifest.digest());
    PullResult pulled = new ImagePuller(other, options(), TransferListener.NONE).pull(byDigest);
    assertEquals(manifest.digest().toString(), pulled.localName());
    assertArrayEquals(manifest.raw(), other.get(pulled.localName()).manifest().raw());

    String wrong = remote("named/app@sha256:" + "0".repeat(64));
    assertThrows(
        ApplianceException.class,
        () -> new ImagePuller(other, options(), TransferListener.NONE).pull(wrong));
  }

  @Test
  void aLayerDamagedInTheLocalStoreIsRefusedByTheRegistry() throws IOException {
    ImageStore local = store("local");
    TestImages.Layer layer = TestImages.layer(local, 85, 100_000);
    TestImages.image(local, "app:1", List.of(layer));
    Path file = local.blobPath(layer.descriptor().digest());
    byte[] bytes = Files.readAllBytes(file);
    bytes[10] ^= 1;
    Files.write(file, bytes);

    ApplianceException e =
        assertThrows(
            ApplianceException.class,
            () ->
                new ImagePusher(local, options(), TransferListener.NONE)
                    .push("app:1", remote("damaged/app:1")));
    assertTrue(e.getMessage().contains(layer.descriptor().digest().shortHex()), e.getMessage());
    assertTrue(
        e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("digest"), e.getMessage());
  }

  @Test
  void aMissingImageIsAClearError() {
    ApplianceException e =
        assertThrows(
            ApplianceException.class,
            () ->
                new ImagePuller(store("s"), options(), TransferListener.NONE)
                    .pull(remote("nothing/here:1")));
    assertTrue(e.getMessage().contains("not found"), e.getMessage());
  }

  /** The signature policy's gate: asked before any blob, told after the image is stored. */
  @Test
  void theGateIsAskedBeforeDownloadingAndToldOnceTheImageIsStored() throws IOException {
    ImageStore local = store("local");
    Manifest manifest =
        TestImages.image(local, "app:1", List.of(TestImages.layer(local, 1, 10_000)));
    new ImagePusher(local, options(), TransferListener.NONE).push("app:1", remote("ops/app:1"));
    ImageStore other = store("other");
    List<String> calls = new ArrayList<>();
    ManifestGate gate =
        new ManifestGate() {
          @Override
          public void admit(ImageReference image, Digest digest) {
            calls.add("admit " + digest + " stored=" + other.find(remote("ops/app:1")).isPresent());
          }

          @Override
          public void stored(ImageStore store, ImageReference image, Digest digest) {
            calls.add("stored " + digest + " stored=" + store.find(image.toString()).isPresent());
          }
        };
    new ImagePuller(other, options(), TransferListener.NONE, gate).pull(remote("ops/app:1"));
    assertEquals(
        List.of(
            "admit " + manifest.digest() + " stored=false",
            "stored " + manifest.digest() + " stored=true"),
        calls);

    ManifestGate refusing =
        (image, digest) -> {
          throw new ApplianceException("refused by policy");
        };
    ImageStore third = store("third");
    assertThrows(
        ApplianceException.class,
        () ->
            new ImagePuller(third, options(), TransferListener.NONE, refusing)
                .pull(remote("ops/app:1")));
    assertTrue(third.find(remote("ops/app:1")).isEmpty(), "a refused image is not stored");
  }
}
