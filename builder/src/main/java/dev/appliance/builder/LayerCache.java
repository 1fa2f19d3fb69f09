package dev.appliance.builder;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.appliance.common.ApplianceException;
import dev.appliance.common.DaemonThreads;
import dev.appliance.oci.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Layers by the digest of their inputs: the layer's blob identity and the directory it was written
 * from (a full root file system for the base, an overlay upper directory for the others). Keeping
 * the directories lets a rebuild stack them again as overlay lower layers instead of unpacking
 * tars, which is what makes a files-only rebuild take seconds.
 *
 * <p>Closing waits for the replaced entries still being deleted.
 */
final class LayerCache implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path dir;

  /**
   * Deletes replaced entries beside the build: a base tree took 1 s to delete before mmdebstrap
   * could start (a --no-cache build). Renamed first, they are already invisible to {@link #find}.
   */
  private final ExecutorService deleter =
      Executors.newSingleThreadExecutor(DaemonThreads.named("layer-cache-delete"));

  LayerCache(Path dir) {
    this.dir = dir;
  }

  /** Deletes replaced entries whose deletion a killed build did not finish. */
  void removeLeftovers() {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (java.nio.file.DirectoryStream<Path> entries = Files.newDirectoryStream(dir, "*.old-*")) {
      entries.forEach(old -> deleter.execute(() -> Workspace.delete(old)));
    } catch (IOException e) {
      throw new ApplianceException(
          "cannot clean the layer cache " + dir + ": " + e.getMessage(), e);
    }
  }

  /** A cached layer. */
  record Entry(String key, Path tree, Digest digest, Digest diffId, long size) {}

  Optional<Entry> find(String key) {
    Path entryDir = dir.resolve(key);
    Path meta = entryDir.resolve("layer.json");
    if (!Files.isRegularFile(meta) || !Files.isDirectory(entryDir.resolve("tree"))) {
      return Optional.empty();
    }
    try {
      Map<?, ?> m = JSON.readValue(meta.toFile(), Map.class);
      return Optional.of(
          new Entry(
              key,
              entryDir.resolve("tree"),
              Digest.parse((String) m.get("digest")),
              Digest.parse((String) m.get("diffId")),
              ((Number) m.get("size")).longValue()));
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // a damaged entry is rebuilt
    }
  }

  /**
   * The directory a new layer is built in, {@code KEY/tree} (not created). Any older entry under
   * the key is removed first. The entry stays invisible to {@link #find} until {@link #commit}, so
   * an interrupted build never leaves a half-built entry that looks complete.
   */
  Path prepare(String key) {
    remove(key);
    try {
      return Files.createDirectories(dir.resolve(key)).resolve("tree");
    } catch (IOException e) {
      throw new ApplianceException("cannot create " + dir.resolve(key) + ": " + e.getMessage(), e);
    }
  }

  /** The entry directory of a key (what to delete when its build fails). */
  Path entryDir(String key) {
    return dir.resolve(key);
  }

  /** Records the written layer, making the entry visible; the metadata appears by one rename. */
  Entry commit(String key, LayerBlob blob, String name) {
    Path entryDir = dir.resolve(key);
    try {
      Map<String, Object> meta = new TreeMap<>();
      meta.put("name", name);
      meta.put("digest", blob.digest().toString());
      meta.put("diffId", blob.diffId().toString());
      meta.put("size", blob.size());
      Path temp = entryDir.resolve("layer.json.tmp");
      JSON.writeValue(temp.toFile(), meta);
      Files.move(
          temp,
          entryDir.resolve("layer.json"),
          StandardCopyOption.ATOMIC_MOVE,
          StandardCopyOption.REPLACE_EXISTING);
      return new Entry(key, entryDir.resolve("tree"), blob.digest(), blob.diffId(), blob.size());
    } catch (IOException e) {
      throw new ApplianceException(
          "cannot store layer " + name + " in the cache " + dir + ": " + e.getMessage(), e);
    }
  }

  private void removeAliasesOf(String key) {
    if (!Files.isDirectory(dir)) {
      return;
    }
    try (java.nio.file.DirectoryStream<Path> links =
        Files.newDirectoryStream(dir, Files::isSymbolicLink)) {
      for (Path link : links) {
        if (Files.readSymbolicLink(link).toString().equals(key)) {
          Files.deleteIfExists(link);
        }
      }
    } catch (IOException e) {
      throw new ApplianceException(
          "cannot clean the layer cache " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Makes {@code alias} find what {@code key} holds, by a relative symbolic link (removed with the
   * entry of {@code key}, see {@link #remove}, so none dangles).
   */
  void alias(String alias, String key) {
    if (alias.equals(key) || find(key).isEmpty()) {
      return;
    }
    remove(alias);
    try {
      Files.createSymbolicLink(dir.resolve(alias), Path.of(key));
    } catch (IOException e) {
      throw new ApplianceException(
          "cannot link " + dir.resolve(alias) + " in the layer cache: " + e.getMessage(), e);
    }
  }

  void remove(String key) {
    removeAliasesOf(key);
    Path target = dir.resolve(key);
    if (Files.exists(target, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      try {
        Path old = dir.resolve(key + ".old-" + java.util.UUID.randomUUID());
        Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
        // A build killed before this ends leaves it to the next one's removeLeftovers.
        deleter.execute(() -> Workspace.delete(old));
      } catch (IOException e) {
        throw new ApplianceException("cannot replace " + target + ": " + e.getMessage(), e);
      }
    }
  }

  /** Waits for the deletions {@link #remove} started. */
  @Override
  public void close() {
    deleter.shutdown();
    try {
      deleter.awaitTermination(1, TimeUnit.HOURS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
