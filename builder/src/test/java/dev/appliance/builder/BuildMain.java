package dev.appliance.builder;

import dev.appliance.common.ApplianceDirs;
import java.nio.file.Path;

/**
 * A build of the test base recipe in its own process, for tests that kill it: {@code BuildMain
 * HOME}.
 */
public final class BuildMain {
  private BuildMain() {}

  public static void main(String[] args) {
    Path home = Path.of(args[0]);
    ApplianceDirs dirs = new ApplianceDirs(home.resolve("data"), home.resolve("state"));
    BuildResult result =
        new ImageBuilder(dirs, BuildListener.silent())
            .build(TestRecipes.base(home), BuildOptions.defaults());
    System.out.println(result.tag());
  }
}
