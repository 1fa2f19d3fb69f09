package dev.appliance.recipe;

import dev.appliance.common.InvalidInputException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Reads a recipe file and the recipes it extends into a checked {@link Recipe}. The syntax is
 * documented in docs/recipe.md.
 *
 * <p>Every problem is an {@link InvalidInputException} whose message starts with {@code
 * FILE:LINE:COLUMN: } and may continue with a hint line.
 */
public final class RecipeParser {
  private final YamlRecipeReader reader = new YamlRecipeReader();

  /**
   * @throws InvalidInputException when the recipe, or one it extends, is invalid
   */
  public Recipe parse(Path file) {
    return load(file.normalize(), List.of());
  }

  /** A recipe being loaded while its parents are read, for cycle detection. */
  private record Link(Path display, Path real) {}

  private Recipe load(Path display, List<Link> children) {
    RawRecipe raw = reader.read(display);
    Path real = realPath(display);
    Recipe parent = null;
    if (raw.extendsFile != null) {
      ScalarChecks check = new ScalarChecks(display);
      Scalar value = raw.extendsFile;
      Path parentDisplay = display.resolveSibling(check.text(value, "extends")).normalize();
      if (!Files.isRegularFile(parentDisplay)) {
        String sibling = Suggestions.closestSibling(parentDisplay);
        throw check.error(
            value,
            "extends",
            "no such recipe file: " + parentDisplay,
            sibling == null
                ? null
                : "did you mean '" + Path.of(value.text()).resolveSibling(sibling) + "'?");
      }
      List<Link> chain = new ArrayList<>(children);
      chain.add(new Link(display, real));
      Path parentReal = realPath(parentDisplay);
      for (int i = 0; i < chain.size(); i++) {
        if (chain.get(i).real().equals(parentReal)) {
          String cycle =
              chain.subList(i, chain.size()).stream()
                      .map(link -> link.display().toString())
                      .collect(Collectors.joining(" -> "))
                  + " -> "
                  + parentDisplay;
          throw check.error(value, "extends", "inheritance cycle: " + cycle, null);
        }
      }
      parent = load(parentDisplay, chain);
    }
    return new RecipeBinder(display, display.toAbsolutePath().normalize()).bind(raw, parent);
  }

  private static Path realPath(Path file) {
    try {
      return file.toRealPath();
    } catch (IOException e) {
      throw RecipeErrors.at(file, null, "cannot read: " + e.getMessage(), null);
    }
  }
}
