package dev.appliance.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageReference;
import dev.appliance.oci.Manifest;
import dev.appliance.oci.MediaTypes;
import dev.appliance.store.ImageStore;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The typed calls signing uses, against a real docker-registry 2.8 (which has no referrers API).
 */
class RemoteRepositoryTest {
  @TempDir Path dir;

  @Test
  void manifestsByTagAndDigestSmallBlobsAndNoReferrersApi() throws Exception {
    try (RegistryServer registry = RegistryServer.plain(dir.resolve("registry"))) {
      ImageStore store = ImageStore.open(dir.resolve("store"));
      Manifest manifest =
          TestImages.image(store, "app:1", List.of(TestImages.layer(store, 3, 1_000)));
      RemoteRepository repository =
          RemoteRepository.open(
              ImageReference.parse(registry.host() + "/ops/app:1"),
              RegistryOptions.defaults(),
              TransferListener.NONE,
              true);
      assertTrue(repository.manifest("1").isEmpty());

      byte[] config = store.readBlob(manifest.config().digest(), "config");
      repository.putBlob(manifest.config().digest(), config);
      repository.putBlob(
          manifest.layers().get(0).digest(),
          store.readBlob(manifest.layers().get(0).digest(), "layer"));
      repository.putManifest("1", manifest.raw(), manifest.mediaType());

      RemoteRepository.RemoteManifest byTag = repository.manifest("1").orElseThrow();
      assertArrayEquals(manifest.raw(), byTag.body());
      assertEquals(MediaTypes.OCI_MANIFEST, byTag.mediaType());
      assertEquals(manifest.digest(), byTag.digest());
      assertArrayEquals(
          manifest.raw(), repository.manifest(manifest.digest().toString()).orElseThrow().body());
      assertArrayEquals(config, repository.blob(manifest.config().digest(), config.length));
      assertTrue(
          repository.referrers(manifest.digest(), "application/example").isEmpty(),
          "docker-registry 2.8 has no referrers API: the caller falls back to the tag scheme");
      Digest absent = Digest.sha256("absent".getBytes(StandardCharsets.UTF_8));
      assertTrue(repository.manifest(absent.toString()).isEmpty());
    }
  }
}
