package dev.appliance.build;

import dev.appliance.common.ApplianceDirs;

import java.nio.file.Path;

/**
 * A build of {@link TestRecipes#tiny} without the layer cache in its own process, for
 * tests that start it in another state than their own (a umask): {@code TinyBuildMain
 * RECIPES HOME}. Re-runs itself as 'appliance build' does ({@link UserNamespace}), then
 * prints the manifest digest.
 */
public final class TinyBuildMain {
    private TinyBuildMain() {}

    public static void main(String[] args) throws Exception {
        if (UserNamespace.needed()) {
            System.exit(UserNamespace.rerunThisProcess());
        }
        ApplianceDirs dirs = new ApplianceDirs(Path.of(args[1], "data"), Path.of(args[1], "state"));
        BuildResult result = new ImageBuilder(dirs, BuildListener.silent())
                .build(TestRecipes.tiny(Path.of(args[0])), BuildOptions.defaults().withLayerCache(false));
        System.out.println(result.manifest().digest());
    }
}
