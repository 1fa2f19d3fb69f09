package dev.appliance.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.io.IOException;
import java.lang.reflect.Field;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/recipe.md must stay the complete reference: every key the parser accepts, each with an
 * example.
 */
class RecipeReferenceTest {

  @Test
  void everyKeyHasASectionOrRowAndAnExample() throws IOException {
    String docs = Files.readString(RecipeParserTest.repositoryRoot().resolve("docs/recipe.md"));
    List<String> missing = new ArrayList<>();
    for (Field field : RawRecipe.class.getDeclaredFields()) {
      String key = keyOf(field);
      if (key != null && !docs.contains("\n## " + key + "\n")) {
        missing.add("section '## " + key + "'");
      }
    }
    for (Class<?> type : allRawTypes()) {
      for (Field field : type.getDeclaredFields()) {
        String key = keyOf(field);
        if (key != null
            && !Pattern.compile("^\\s*(- )?" + Pattern.quote(key) + ":", Pattern.MULTILINE)
                .matcher(docs)
                .find()) {
          missing.add("an example line '" + key + ":' (" + type.getSimpleName() + ")");
        }
      }
    }
    assertEquals(List.of(), missing, "docs/recipe.md lacks");
  }

  private static List<Class<?>> allRawTypes() {
    List<Class<?>> types = new ArrayList<>(List.of(RawRecipe.class));
    types.addAll(List.of(RawRecipe.class.getDeclaredClasses()));
    return types;
  }

  private static String keyOf(Field field) {
    JsonProperty property = field.getAnnotation(JsonProperty.class);
    return property == null ? null : property.value();
  }
}
