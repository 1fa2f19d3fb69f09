package dev.appliance.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.InvalidInputException;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every recipe under test resources recipes/bad/ must be rejected with the error its header
 * announces:
 *
 * <pre>
 * # expect: [FILE:]LINE: message fragment
 * # hint: hint fragment            (optional)
 * </pre>
 *
 * FILE, relative to recipes/bad/, names where the error is when it is not the recipe itself (an
 * inherited file).
 */
class BadRecipeCorpusTest {
  private static final Pattern EXPECT =
      Pattern.compile("^# expect: (?:(\\S+\\.yaml):)?(\\d+): (.+)$", Pattern.MULTILINE);
  private static final Pattern HINT = Pattern.compile("^# hint: (.+)$", Pattern.MULTILINE);

  static Path corpus() throws URISyntaxException {
    return Path.of(BadRecipeCorpusTest.class.getResource("/recipes/bad").toURI());
  }

  static Stream<Path> badRecipes() throws IOException, URISyntaxException {
    try (Stream<Path> files = Files.list(corpus())) {
      List<Path> recipes = files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
      assertTrue(recipes.size() >= 40, "the corpus is incomplete: " + recipes.size());
      return recipes.stream();
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("badRecipes")
  void isRejectedWithTheAnnouncedError(Path recipe) throws IOException {
    String header = Files.readString(recipe);
    Matcher expect = EXPECT.matcher(header);
    assertTrue(expect.find(), recipe + " has no '# expect: LINE: fragment' header");
    Path where =
        expect.group(1) == null ? recipe : recipe.resolveSibling(expect.group(1)).normalize();

    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> new RecipeParser().parse(recipe));

    String message = e.getMessage();
    String firstLine = message.lines().findFirst().orElseThrow();
    String location = where + ":" + expect.group(2) + ":";
    assertTrue(
        firstLine.startsWith(location),
        "expected the error at " + location + " but got:\n" + message);
    assertTrue(
        firstLine.contains(expect.group(3)), "expected '" + expect.group(3) + "' in:\n" + message);
    Matcher hint = HINT.matcher(header);
    if (hint.find()) {
      List<String> lines = message.lines().toList();
      assertEquals(2, lines.size(), "expected a hint line in:\n" + message);
      assertTrue(
          lines.get(1).contains(hint.group(1)),
          "expected hint '" + hint.group(1) + "' in:\n" + message);
    }
  }
}
