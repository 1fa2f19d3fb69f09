package dev.appliance.cli;

import dev.appliance.builder.BuildOptions;
import dev.appliance.builder.BuildResult;
import dev.appliance.builder.ImageBuilder;
import dev.appliance.builder.LockFile;
import dev.appliance.builder.RecipeSource;
import dev.appliance.common.InvalidInputException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "lock",
    description = {
      "Pin a recipe's packages in RECIPE.lock.",
      "Resolves the packages and writes every package's name, version,",
      "architecture and SHA-256, and each suite's Release date. 'appliance build' then installs exactly these.",
      "Resolving builds the root file system (layers go to the cache, no image is tagged).",
      "Runs as root, or without root in a user namespace like 'build'."
    })
final class LockCommand extends RootCommand {
  @Parameters(index = "0", paramLabel = "RECIPE", description = "recipe file")
  Path recipe;

  @Mixin MirrorOption mirror;

  @Option(
      names = {"-v", "--verbose"},
      description = "Show the output of mmdebstrap and apt.")
  boolean verbose;

  @Mixin OutputOptions output;

  @Override
  protected Integer callAsRoot() {
    if (recipe.toString().contains("#")) {
      throw new InvalidInputException(
          "lock writes beside a local recipe file; clone the repository to lock a git recipe");
    }
    BuildOptions options =
        BuildOptions.defaults().withMirror(mirror.url).withLockFile(false).withStore(false);
    Path lockPath;
    BuildResult result;
    try (RecipeSource source = RecipeSource.open(recipe.toString(), dirs())) {
      result =
          new ImageBuilder(dirs(), BuildProgress.of(err(), output.quiet, verbose))
              .build(source.recipe(), options);
      lockPath = LockFile.pathFor(source.recipe().source());
    }
    result.packages().write(lockPath);
    if (output.json) {
      Map<String, String> suites = new LinkedHashMap<>();
      result.packages().suites().forEach((k, v) -> suites.put(k, v.toString()));
      out()
          .println(
              Json.write(
                  new Locked(lockPath.toString(), result.packages().packages().size(), suites)));
    } else {
      out().println(lockPath + " (" + result.packages().packages().size() + " packages)");
    }
    return 0;
  }

  /** What --json prints; {@code suites} maps each suite to the snapshot it was locked at. */
  record Locked(String lockFile, int packages, Map<String, String> suites) {}
}
