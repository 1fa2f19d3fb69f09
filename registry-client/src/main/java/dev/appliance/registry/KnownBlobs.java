package dev.appliance.registry;

import dev.appliance.oci.Digest;
import dev.appliance.store.ImageStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which registry repositories are known to hold a blob, as docker remembers it: registries keep
 * blobs per repository, so a layer pushed with ops/lamp is missing from ops/snort until it is
 * uploaded again or mounted from ops/lamp. Knowing the source lets a push mount it instead of
 * sending the bytes.
 *
 * <p>One small file per blob ({@code remote-blobs/sha256/HEX}, one {@code registry/repository} per
 * line) beside the OCI layout, which other tools ignore. Lines are appended, so concurrent
 * transfers cannot lose each other's entries; it is only a hint, and a stale one costs a failed
 * mount.
 */
final class KnownBlobs {
  private final Path root;

  KnownBlobs(ImageStore store) {
    this.root = store.root().resolve("remote-blobs");
  }

  /** Repositories of {@code registry} known to hold the blob, most recent last. */
  List<String> repositoriesOn(String registry, Digest blob) {
    Path file = file(blob);
    if (!Files.isRegularFile(file)) {
      return List.of();
    }
    try {
      Set<String> repositories = new LinkedHashSet<>();
      for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
        if (line.startsWith(registry + "/")) {
          repositories.add(line.substring(registry.length() + 1));
        }
      }
      return List.copyOf(repositories);
    } catch (IOException e) {
      return List.of();
    }
  }

  void remember(String registry, String repository, Digest blob) {
    if (repositoriesOn(registry, blob).contains(repository)) {
      return;
    }
    try {
      Files.createDirectories(file(blob).getParent());
      Files.writeString(
          file(blob),
          registry + "/" + repository + "\n",
          StandardCharsets.UTF_8,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND);
    } catch (IOException e) {
      // A hint only: without it the next push uploads the blob instead of mounting it.
    }
  }

  private Path file(Digest blob) {
    return root.resolve(blob.algorithm()).resolve(blob.hex());
  }
}
