package dev.appliance.build;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.appliance.common.ApplianceException;
import dev.appliance.oci.Digest;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Layers by the digest of their inputs: the layer's blob identity and the
 * directory it was written from (a full root file system for the base, an
 * overlay upper directory for the others). Keeping the directories lets a
 * rebuild stack them again as overlay lower layers instead of unpacking tars,
 * which is what makes a files-only rebuild take seconds.
 */
final class LayerCache {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path dir;

    LayerCache(Path dir) {
        this.dir = dir;
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
            return Optional.of(new Entry(key, entryDir.resolve("tree"), Digest.parse((String) m.get("digest")),
                    Digest.parse((String) m.get("diffId")), ((Number) m.get("size")).longValue()));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // a damaged entry is rebuilt
        }
    }

    /**
     * Moves a finished tree into the cache under {@code key}, replacing an older
     * entry. The tree and its metadata appear together by one rename.
     */
    Entry put(String key, Path tree, LayerBlob blob, String name) {
        try {
            Files.createDirectories(dir);
            Path staging = Files.createTempDirectory(dir, key + ".new-");
            Files.move(tree, staging.resolve("tree"), StandardCopyOption.ATOMIC_MOVE);
            Map<String, Object> meta = new TreeMap<>();
            meta.put("name", name);
            meta.put("digest", blob.digest().toString());
            meta.put("diffId", blob.diffId().toString());
            meta.put("size", blob.size());
            JSON.writeValue(staging.resolve("layer.json").toFile(), meta);
            Path target = dir.resolve(key);
            if (Files.exists(target)) {
                Path old = Files.createTempDirectory(dir, key + ".old-");
                Files.delete(old);
                Files.move(target, old, StandardCopyOption.ATOMIC_MOVE);
                Workspace.delete(old);
            }
            Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
            return new Entry(key, target.resolve("tree"), blob.digest(), blob.diffId(), blob.size());
        } catch (IOException e) {
            throw new ApplianceException("cannot store layer " + name + " in the cache " + dir + ": " + e.getMessage(), e);
        }
    }
}
