package dev.appliance.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.oci.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerCacheTest {
  private static final String KEY = "a".repeat(64);

  @Test
  void replacedEntryIsGoneAtOnceAndDeletedByClose(@TempDir Path dir) throws IOException {
    Path layers = dir.resolve("layers");
    try (LayerCache cache = new LayerCache(layers)) {
      committedEntry(cache, "old content");
      assertTrue(cache.find(KEY).isPresent());

      Path tree = cache.prepare(KEY);

      assertTrue(cache.find(KEY).isEmpty(), "a key being rebuilt is not found");
      assertFalse(Files.exists(tree), "the new tree starts empty");
    }
    assertEquals(List.of(KEY), names(layers), "the replaced entry deleted once the cache closed");
  }

  @Test
  void leftoversOfAKilledBuildAreDeletedByClose(@TempDir Path dir) throws IOException {
    Path layers = dir.resolve("layers");
    Path leftover = Files.createDirectories(layers.resolve(KEY + ".old-1234/tree/usr"));
    Files.writeString(leftover.resolve("file"), "x");
    try (LayerCache cache = new LayerCache(layers)) {
      cache.removeLeftovers();
    }
    assertEquals(List.of(), names(layers));
  }

  private static void committedEntry(LayerCache cache, String content) throws IOException {
    Path tree = Files.createDirectories(cache.prepare(KEY));
    Files.createDirectories(tree.resolve("etc"));
    Files.writeString(tree.resolve("etc/content"), content);
    Digest digest = Digest.sha256(content.getBytes());
    cache.commit(KEY, new LayerBlob(digest, digest, content.length(), 2), "test");
  }

  private static List<String> names(Path dir) throws IOException {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }
}
