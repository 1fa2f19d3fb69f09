package dev.appliance.builder;

import dev.appliance.common.ApplianceDirs;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Runs a build in its own JVM so a test can interrupt it with SIGINT, as Ctrl-C would. */
public final class InterruptedBuildMain {
  private InterruptedBuildMain() {}

  public static void main(String[] args) throws Exception {
    Path home = Path.of(args[0]);
    ApplianceDirs dirs = new ApplianceDirs(home.resolve("data"), home.resolve("state"));
    Path motd = Files.writeString(home.resolve("motd-interrupted"), "x\n");
    new ImageBuilder(dirs, BuildListener.silent())
        .build(
            TestRecipes.child(home, "interrupted", TestRecipes.base(home), List.of("hello"), motd),
            BuildOptions.defaults().withLayerCache(false));
  }
}
