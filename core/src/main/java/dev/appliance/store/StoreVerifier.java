package dev.appliance.store;

import dev.appliance.common.ApplianceException;
import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageReference;
import dev.appliance.oci.Manifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Checks a whole store ({@code appliance store verify}): every tag in index.json reaches its
 * manifest, config and layers; every blob file has the size its descriptors say and the digest its
 * name says. Each blob is hashed once. With {@code repair}, damaged blobs are set aside so the next
 * pull fetches them again; nothing else changes.
 */
public final class StoreVerifier {
  private final ImageStore store;

  public StoreVerifier(ImageStore store) {
    this.store = store;
  }

  /** What is wrong with a blob. */
  public enum Damage {
    /** A tag needs it and it is not there. */
    MISSING,
    /** Its size differs from the size its descriptor says (truncated, or appended to). */
    WRONG_SIZE,
    /** Its bytes do not hash to its name. */
    WRONG_DIGEST,
    /** A manifest with the right digest that is not a valid image manifest. */
    INVALID_MANIFEST,
    /** A file under blobs/ whose name is no digest, or index.json itself. */
    NOT_A_BLOB
  }

  /**
   * One problem found.
   *
   * @param blob the blob's digest, or its file name when it is no digest
   * @param damage what is wrong
   * @param detail the evidence, in words
   * @param neededBy the tags whose images need the blob (empty: no image does)
   * @param advice what to do about it
   * @param setAside true when a repair moved the blob out of the store
   * @param repairable true when a repair would set it aside, as the first step of the advice
   */
  public record Problem(
      String blob,
      Damage damage,
      String detail,
      List<String> neededBy,
      String advice,
      boolean setAside,
      boolean repairable) {
    public Problem {
      neededBy = List.copyOf(neededBy);
    }
  }

  /** The outcome: clean when there are no problems. */
  public record Report(int tags, int blobs, long bytes, List<Problem> problems) {
    public Report {
      problems = List.copyOf(problems);
    }

    public boolean clean() {
      return problems.isEmpty();
    }
  }

  /** The state of one blob file as found. */
  private record Found(Damage damage, String detail) {}

  public Report verify(boolean repair) {
    try (AutoCloseable writing = store.lockForWrite()) {
      return run(repair);
    } catch (RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new ApplianceException(
          "cannot verify the store " + store.root() + ": " + e.getMessage(), e);
    }
  }

  private Report run(boolean repair) throws IOException {
    return new Pass(repair).run();
  }

  /** One verification: each blob's state, found once, and who needs it. */
  private final class Pass {
    private final boolean repair;
    private final List<Problem> problems = new ArrayList<>();
    private final Map<Digest, Optional<Found>> checked = new HashMap<>();
    private final Map<Digest, Set<String>> neededBy = new TreeMap<>();
    private final Map<Digest, Found> damaged = new TreeMap<>();
    private long bytes;

    Pass(boolean repair) {
      this.repair = repair;
    }

    Report run() throws IOException {
      List<ImageStore.Tag> tags;
      try {
        tags = store.tags();
      } catch (InvalidInputException | ApplianceException e) {
        tags = List.of();
        problems.add(
            new Problem(
                "index.json",
                Damage.NOT_A_BLOB,
                e.getMessage(),
                List.of(),
                "the tags are lost but the blobs remain: pull or rebuild the images, then run 'appliance gc'",
                false,
                false));
      }
      tags.forEach(this::checkTag);
      checkEveryFile();
      for (Map.Entry<Digest, Found> entry : damaged.entrySet()) {
        Digest digest = entry.getKey();
        Found found = entry.getValue();
        List<String> images = List.copyOf(neededBy.getOrDefault(digest, Set.of()));
        boolean moved =
            repair
                && found.damage() != Damage.MISSING
                && found.damage() != Damage.INVALID_MANIFEST
                && setAside(store.blobPath(digest));
        problems.add(
            new Problem(
                digest.toString(),
                found.damage(),
                found.detail(),
                images,
                advice(images, found, moved),
                moved,
                !moved && settingAsideHelps(images, found)));
      }
      return new Report(tags.size(), checked.size(), bytes, problems);
    }

    /** index.json to manifest, config and layers. */
    private void checkTag(ImageStore.Tag tag) {
      List<Descriptor> blobs = new ArrayList<>(List.of(tag.manifest()));
      if (state(tag.manifest().digest(), tag.manifest().size()).isEmpty()) {
        try {
          Manifest manifest =
              Manifest.parse(
                  Files.readAllBytes(store.blobPath(tag.manifest().digest())),
                  tag.name() + " manifest");
          blobs.add(manifest.config());
          blobs.addAll(manifest.layers());
        } catch (InvalidInputException e) {
          checked.put(
              tag.manifest().digest(),
              Optional.of(new Found(Damage.INVALID_MANIFEST, e.getMessage())));
        } catch (IOException e) {
          checked.put(
              tag.manifest().digest(),
              Optional.of(new Found(Damage.WRONG_DIGEST, "cannot be read: " + e.getMessage())));
        }
      }
      for (Descriptor blob : blobs) {
        neededBy.computeIfAbsent(blob.digest(), d -> new TreeSet<>()).add(tag.name());
        state(blob.digest(), blob.size()).ifPresent(found -> damaged.put(blob.digest(), found));
      }
    }

    /** Blob files no tag reaches are checked too (their digest; no descriptor says their size). */
    private void checkEveryFile() throws IOException {
      try (Stream<Path> files = Files.list(store.root().resolve("blobs/sha256"))) {
        for (Path file : (Iterable<Path>) files.sorted()::iterator) {
          Optional<Digest> digest = ImageStore.digestOf(file);
          if (digest.isEmpty()) {
            boolean moved = repair && setAside(file);
            problems.add(
                new Problem(
                    file.getFileName().toString(),
                    Damage.NOT_A_BLOB,
                    "a file under blobs/sha256 whose name is not a sha256 digest",
                    List.of(),
                    "no image uses it: setting it aside or removing it by hand clears it",
                    moved,
                    !moved));
          } else {
            state(digest.get(), -1).ifPresent(found -> damaged.put(digest.get(), found));
          }
        }
      }
    }

    /** The blob's state, checked on first use; {@code size} -1 when no descriptor says it. */
    private Optional<Found> state(Digest digest, long size) {
      return checked.computeIfAbsent(digest, d -> check(d, size));
    }

    /** Empty when the blob is intact. */
    private Optional<Found> check(Digest digest, long size) {
      Path file = store.blobPath(digest);
      if (!Files.isRegularFile(file)) {
        return Optional.of(new Found(Damage.MISSING, "the blob file is missing"));
      }
      try {
        long actualSize = Files.size(file);
        if (size >= 0 && actualSize != size) {
          return Optional.of(
              new Found(Damage.WRONG_SIZE, actualSize + " bytes instead of " + size));
        }
        Digest actual = ImageStore.hashOf(file);
        bytes += actualSize;
        return actual.equals(digest)
            ? Optional.empty()
            : Optional.of(new Found(Damage.WRONG_DIGEST, "its content has digest " + actual));
      } catch (IOException e) {
        return Optional.of(new Found(Damage.WRONG_DIGEST, "cannot be read: " + e.getMessage()));
      }
    }
  }

  private static boolean setAside(Path file) {
    ImageStore.setAside(file);
    return !Files.exists(file);
  }

  private static String advice(List<String> images, Found found, boolean moved) {
    if (images.isEmpty()) {
      return "no tagged image needs it: 'appliance gc' removes it";
    }
    List<String> steps = new ArrayList<>();
    for (String image : images) {
      boolean remote = ImageReference.parse(image).hasRegistry();
      steps.add(
          remote
              ? "appliance pull " + image
              : "rebuild " + image + " (or: appliance rmi " + image + ")");
    }
    String fix = String.join("; ", steps);
    return found.damage() == Damage.INVALID_MANIFEST ? "the image is invalid: " + fix : fix;
  }

  /** The damaged blob must go before its images can be pulled or rebuilt again. */
  private static boolean settingAsideHelps(List<String> images, Found found) {
    return !images.isEmpty()
        && found.damage() != Damage.MISSING
        && found.damage() != Damage.INVALID_MANIFEST;
  }
}
