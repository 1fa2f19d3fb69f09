package dev.appliance.builder;

import dev.appliance.common.ApplianceDirs;
import java.nio.file.Path;

/**
 * A build of {@link TestRecipes#tiny} without the layer cache in its own process, for tests that
 * start it in another state than their own (a umask): {@code TinyBuildMain RECIPES HOME
 * [--write-lock]}. Re-runs itself as 'appliance build' does ({@link UserNamespace}), then prints
 * the manifest digest; with {@code --write-lock} it also writes the lock file of what it resolved
 * beside the recipe.
 */
public final class TinyBuildMain {
  private TinyBuildMain() {}

  public static void main(String[] args) throws Exception {
    if (UserNamespace.needed()) {
      System.exit(UserNamespace.rerunThisProcess());
    }
    ApplianceDirs dirs = new ApplianceDirs(Path.of(args[1], "data"), Path.of(args[1], "state"));
    var recipe = TestRecipes.tiny(Path.of(args[0]));
    BuildResult result =
        new ImageBuilder(dirs, BuildListener.silent())
            .build(recipe, BuildOptions.defaults().withLayerCache(false));
    if (args.length > 2 && args[2].equals("--write-lock")) {
      result.packages().write(LockFile.pathFor(recipe.source()));
    }
    System.out.println(result.manifest().digest());
  }
}
