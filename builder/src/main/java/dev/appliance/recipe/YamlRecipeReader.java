package dev.appliance.recipe;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.exc.InvalidNullException;
import com.fasterxml.jackson.dataformat.yaml.JacksonYAMLParseException;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.appliance.common.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.MarkedYAMLException;

/**
 * Reads one recipe file into a {@link RawRecipe}, strictly: unknown keys, duplicate keys, the wrong
 * shape of value, aliases, a second YAML document and oversized input are errors naming file, line
 * and column.
 */
final class YamlRecipeReader {
  /** Recipes are short; anything near this is a mistake or an attack. */
  static final int MAX_BYTES = 1 << 20;

  private static final int MAX_NESTING = 32;
  private static final Pattern DUPLICATE = Pattern.compile("Duplicate field '(.*)'");

  private final ObjectReader reader;
  private final YAMLFactory factory;

  YamlRecipeReader() {
    LoaderOptions loader = new LoaderOptions();
    // Jackson's streaming YAML parser never expands aliases (it reports one as
    // the anchor's name), so an alias bomb cannot grow here; aliases are
    // rejected outright by StrictBinding. These limits bound the parser itself.
    loader.setCodePointLimit(MAX_BYTES);
    loader.setMaxAliasesForCollections(0);
    loader.setNestingDepthLimit(MAX_NESTING);
    loader.setAllowDuplicateKeys(false);
    factory =
        YAMLFactory.builder()
            .loaderOptions(loader)
            .streamReadConstraints(
                StreamReadConstraints.builder()
                    .maxNestingDepth(MAX_NESTING)
                    .maxStringLength(MAX_BYTES)
                    .maxDocumentLength(MAX_BYTES)
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            // "key:" with nothing after it means "not given", as docs/recipe.md says; "" stays
            // text.
            .enable(YAMLParser.Feature.EMPTY_STRING_AS_NULL)
            .build();
    ObjectMapper mapper =
        new ObjectMapper(factory)
            .registerModule(StrictBinding.module())
            .addHandler(StrictBinding.problemHandler())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .disable(DeserializationFeature.ACCEPT_SINGLE_VALUE_AS_ARRAY);
    mapper.configOverride(List.class).setSetterInfo(JsonSetter.Value.forContentNulls(Nulls.FAIL));
    reader = mapper.readerFor(RawRecipe.class);
  }

  /**
   * @param file the file to read, as it is to be named in messages
   */
  RawRecipe read(Path file) {
    String text = readText(file);
    try (TrackingYamlParser parser = new TrackingYamlParser(factory.createParser(text))) {
      RawRecipe raw = reader.readValue(parser);
      if (raw == null) {
        throw RecipeErrors.at(
            file, null, "the recipe is empty", "a recipe needs at least 'name:' and 'version:'");
      }
      return raw;
    } catch (RecipeProblem e) {
      throw RecipeErrors.at(file, e.getLocation(), withPath(e) + e.getOriginalMessage(), e.hint());
    } catch (JsonProcessingException e) {
      throw translate(e, file);
    } catch (IOException e) {
      throw RecipeErrors.at(file, null, "cannot read: " + e.getMessage(), null);
    }
  }

  private static String readText(Path file) {
    if (Files.isDirectory(file)) {
      throw RecipeErrors.at(
          file,
          null,
          "is a directory, not a recipe file",
          "name the YAML file, e.g. recipes/lamp/lamp.yaml");
    }
    try {
      byte[] bytes;
      // Read at most one byte too many, whatever the file claims its size is (/dev/zero).
      try (InputStream in = Files.newInputStream(file)) {
        bytes = in.readNBytes(MAX_BYTES + 1);
      }
      if (bytes.length > MAX_BYTES) {
        throw RecipeErrors.at(
            file, null, "larger than " + (MAX_BYTES >> 10) + " KiB; not a recipe", null);
      }
      return StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes))
          .toString();
    } catch (NoSuchFileException e) {
      throw RecipeErrors.at(file, null, "no such recipe file", null);
    } catch (CharacterCodingException e) {
      throw RecipeErrors.at(file, null, "not UTF-8 text", null);
    } catch (IOException e) {
      throw RecipeErrors.at(file, null, "cannot read: " + e.getMessage(), null);
    }
  }

  private static InvalidInputException translate(JsonProcessingException e, Path display) {
    JsonLocation at = e.getLocation();
    if (e instanceof JacksonYAMLParseException
        && e.getCause() instanceof MarkedYAMLException marked) {
      String problem = marked.getProblem() != null ? marked.getProblem() : marked.getMessage();
      String message =
          "not valid YAML: "
              + (marked.getContext() != null ? marked.getContext() + " " : "")
              + problem;
      return RecipeErrors.at(display, locationOf(marked, at), message, null);
    }
    if (e instanceof StreamConstraintsException) {
      return RecipeErrors.at(
          display, at, "recipe too large or too deeply nested: " + e.getOriginalMessage(), null);
    }
    if (e instanceof JsonParseException) {
      Matcher duplicate = DUPLICATE.matcher(e.getOriginalMessage());
      if (duplicate.find()) {
        return RecipeErrors.at(
            display,
            at,
            "duplicate key '" + duplicate.group(1) + "'",
            "each key may appear once per mapping");
      }
      return RecipeErrors.at(display, at, "not valid YAML: " + e.getOriginalMessage(), null);
    }
    if (e instanceof InvalidNullException nullItem) {
      return RecipeErrors.at(
          display,
          at,
          withPath(nullItem) + "empty list item",
          "remove the '-' line or give it a value");
    }
    String message = e.getOriginalMessage();
    if (message.startsWith("No content to map")) {
      return RecipeErrors.at(
          display, null, "the recipe is empty", "a recipe needs at least 'name:' and 'version:'");
    }
    if (message.startsWith("Trailing token")) {
      return RecipeErrors.at(
          display,
          at,
          "more than one YAML document; a recipe is one document",
          "remove the '---' line and what follows, or put it in its own file");
    }
    if (e instanceof JsonMappingException mapping) {
      return RecipeErrors.at(display, at, withPath(mapping) + message, null);
    }
    return RecipeErrors.at(display, at, message, null);
  }

  private static JsonLocation locationOf(MarkedYAMLException marked, JsonLocation fallback) {
    var mark = marked.getProblemMark() != null ? marked.getProblemMark() : marked.getContextMark();
    return mark == null
        ? fallback
        : new JsonLocation(null, -1, mark.getLine() + 1, mark.getColumn() + 1);
  }

  /** "ports[0].port: " from Jackson's reference chain, or "" at the top. */
  static String withPath(JsonMappingException e) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        path.append(path.isEmpty() ? "" : ".").append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    return path.isEmpty() ? "" : path + ": ";
  }
}
