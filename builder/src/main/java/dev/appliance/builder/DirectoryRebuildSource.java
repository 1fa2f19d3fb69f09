package dev.appliance.builder;

import dev.appliance.common.InvalidInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** A rebuild from a directory as it is now: its one recipe that has a lock file beside it. */
public final class DirectoryRebuildSource implements RebuildSource {
  private final Path recipe;

  private DirectoryRebuildSource(Path recipe) {
    this.recipe = recipe;
  }

  /**
   * @throws InvalidInputException when {@code dir} holds no recipe with a lock file, or several
   */
  public static DirectoryRebuildSource of(Path dir) {
    Path abs = dir.toAbsolutePath().normalize();
    if (!Files.isDirectory(abs)) {
      throw new InvalidInputException(dir + ": no such directory");
    }
    List<Path> locked;
    try (Stream<Path> files = Files.list(abs)) {
      locked =
          files
              .filter(p -> p.getFileName().toString().matches(".+\\.ya?ml"))
              .filter(p -> Files.isRegularFile(p) && Files.isRegularFile(LockFile.pathFor(p)))
              .sorted()
              .toList();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + dir, e);
    }
    if (locked.isEmpty()) {
      throw new InvalidInputException(
          dir
              + ": no recipe with a lock file beside it (NAME.yaml and NAME.yaml.lock);"
              + " a rebuild needs the lock file the image was built with");
    }
    if (locked.size() > 1) {
      throw new InvalidInputException(
          dir
              + ": several recipes with lock files ("
              + String.join(", ", locked.stream().map(p -> p.getFileName().toString()).toList())
              + "); give a directory holding only the image's recipe");
    }
    return new DirectoryRebuildSource(locked.get(0));
  }

  @Override
  public Path recipe() {
    return recipe;
  }

  @Override
  public String describe() {
    return "directory " + recipe.getParent() + " (" + recipe.getFileName() + ")";
  }

  @Override
  public void close() {}
}
