package dev.appliance.cli;

import dev.appliance.builder.BuildListener;
import dev.appliance.builder.DirectoryRebuildSource;
import dev.appliance.builder.GitCommitRebuildSource;
import dev.appliance.builder.Rebuild;
import dev.appliance.builder.RebuildSource;
import dev.appliance.common.ApplianceDirs;
import dev.appliance.common.InvalidInputException;
import java.io.PrintWriter;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code verify --rebuild}: the options, the choice of {@link RebuildSource}, the report. */
final class RebuildOptions {
  @Option(
      names = "--rebuild",
      description =
          "Rebuild the local IMAGE from its recipe and lock file and compare digests"
              + " (exit 0 identical, 1 different).")
  boolean rebuild;

  @Option(
      names = "--recipe",
      paramLabel = "RECIPE",
      description =
          "With --rebuild: the recipe in a git work tree; it and its lock file are taken from"
              + " the commit IMAGE records.")
  Path recipe;

  @Option(
      names = "--recipe-dir",
      paramLabel = "DIR",
      description =
          "With --rebuild: take the recipe (the one with a lock file beside it) from DIR as it is.")
  Path recipeDir;

  @Option(
      names = {"-v", "--verbose"},
      description = "With --rebuild: show the output of mmdebstrap and apt.")
  boolean verbose;

  /** Refuses the rebuild options without --rebuild, so a typo never skips a check silently. */
  void requireConsistent() {
    if (!rebuild && (recipe != null || recipeDir != null || verbose)) {
      throw new InvalidInputException("--recipe, --recipe-dir and --verbose go with --rebuild");
    }
    if (rebuild && (recipe == null) == (recipeDir == null)) {
      throw new InvalidInputException("--rebuild needs one of --recipe RECIPE or --recipe-dir DIR");
    }
  }

  /** Rebuilds, prints the comparison; returns the exit code. */
  int run(String image, ApplianceDirs dirs, BuildListener progress, PrintWriter out, boolean json) {
    Rebuild rebuilder = new Rebuild(dirs, progress);
    try (RebuildSource source =
        recipeDir != null
            ? DirectoryRebuildSource.of(recipeDir)
            : GitCommitRebuildSource.checkout(
                recipe, rebuilder.recordedCommit(image), dirs.data().resolve("cache/rebuild"))) {
      Rebuild.Result result = rebuilder.verify(image, source);
      if (json) {
        out.println(Json.write(Rebuilt.of(result)));
      } else {
        print(result, out);
      }
      return result.identical() ? 0 : 1;
    }
  }

  private static void print(Rebuild.Result r, PrintWriter out) {
    out.println("rebuilt " + r.image() + " from " + r.source());
    for (Rebuild.LayerComparison layer : r.layers()) {
      out.printf(
          "layer %d %-28s %s%n",
          layer.index(),
          layer.name(),
          layer.identical()
              ? "identical " + layer.original()
              : "DIFFERS " + layer.original() + " -> rebuilt " + layer.rebuilt());
    }
    out.println("config " + (r.configIdentical() ? "identical" : "DIFFERS"));
    for (var c : r.files()) {
      out.println(ChangeLines.format(c));
    }
    out.println(
        r.identical()
            ? "identical: " + r.original()
            : "different: " + r.original() + ", rebuilt " + r.rebuilt());
  }
}
