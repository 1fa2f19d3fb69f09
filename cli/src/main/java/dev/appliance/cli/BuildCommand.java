package dev.appliance.cli;

import dev.appliance.builder.BuildOptions;
import dev.appliance.builder.BuildResult;
import dev.appliance.builder.ImageBuilder;
import dev.appliance.builder.RecipeSource;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "build",
    description = {
      "Build an appliance image from a recipe into the local store.",
      "RECIPE is a file, or URL#path/to/recipe.yaml[@REF] in a git repository.",
      "Layers whose inputs did not change come from the cache; RECIPE.lock, when present, pins every package.",
      "Runs as root, or without root in a user namespace mapping the user's /etc/subuid range (unshare mode)."
    })
final class BuildCommand extends RootCommand {
  @Parameters(index = "0", paramLabel = "RECIPE", description = "recipe file or git URL#path")
  String recipe;

  @Option(
      names = {"-t", "--tag"},
      paramLabel = "NAME:TAG",
      description = "Tag of the image (default: NAME:VERSION from the recipe).")
  String tag;

  @Mixin MirrorOption mirror;

  @Option(names = "--no-cache", description = "Rebuild every layer.")
  boolean noCache;

  @Option(names = "--no-lock", description = "Ignore RECIPE.lock.")
  boolean noLock;

  @Option(
      names = "--compression-level",
      paramLabel = "1-9",
      defaultValue = "1",
      description = "gzip level of the layers (default: ${DEFAULT-VALUE}, fastest).")
  int compressionLevel;

  @Option(
      names = {"-v", "--verbose"},
      description = "Show the output of mmdebstrap, apt and run steps.")
  boolean verbose;

  @Mixin OutputOptions output;

  @Override
  protected Integer callAsRoot() {
    if (compressionLevel < 1 || compressionLevel > 9) {
      throw new dev.appliance.common.InvalidInputException(
          "--compression-level must be between 1 and 9");
    }
    BuildOptions options =
        BuildOptions.defaults()
            .withTag(tag)
            .withMirror(mirror.url)
            .withLayerCache(!noCache)
            .withLockFile(!noLock)
            .withCompressionLevel(compressionLevel);
    BuildResult result;
    long started = System.nanoTime();
    try (RecipeSource source = RecipeSource.open(recipe, dirs())) {
      result =
          new ImageBuilder(dirs(), BuildProgress.of(err(), output.quiet, verbose))
              .build(source.recipe(), options, source.gitUrl());
    }
    if (output.json) {
      out().println(Json.write(Built.of(result)));
    } else {
      if (!output.quiet) {
        // The wall time: layers are written while the next step runs, so the steps' times
        // add up to more than the build took.
        double seconds = (System.nanoTime() - started) / 1e9;
        err()
            .printf(
                "built %s (%d layers, %s) in %.1f s%n",
                result.tag(),
                result.layers().size(),
                Sizes.human(result.layers().stream().mapToLong(BuildResult.Layer::size).sum()),
                seconds);
      }
      out().println(result.tag() + " " + result.manifest().digest());
    }
    return 0;
  }

  /** What --json prints; {@code timings} maps each step to its seconds. */
  record Built(
      String tag,
      String digest,
      List<LayerJson> layers,
      long size,
      Map<String, Double> timings,
      int packages) {
    static Built of(BuildResult result) {
      Map<String, Double> timings = new LinkedHashMap<>();
      result.timings().forEach((k, v) -> timings.put(k, v.toMillis() / 1000.0));
      return new Built(
          result.tag(),
          result.manifest().digest().toString(),
          result.layers().stream().map(LayerJson::of).toList(),
          result.layers().stream().mapToLong(BuildResult.Layer::size).sum(),
          timings,
          result.packages().packages().size());
    }
  }

  record LayerJson(String name, String digest, String diffId, long size, boolean cached) {
    static LayerJson of(BuildResult.Layer layer) {
      return new LayerJson(
          layer.name(),
          layer.digest().toString(),
          layer.diffId().toString(),
          layer.size(),
          layer.cached());
    }
  }
}
