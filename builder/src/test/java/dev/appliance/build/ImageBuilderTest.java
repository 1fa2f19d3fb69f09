package dev.appliance.build;

import dev.appliance.common.ApplianceDirs;
import dev.appliance.recipe.Recipe;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

class ImageBuilderTest {
    Path tmp = Path.of("/var/tmp/apl-dev");

    @Test
    void buildsATinyRecipe() throws Exception {
        Files.createDirectories(tmp);
        ApplianceDirs dirs = new ApplianceDirs(tmp.resolve("data"), tmp.resolve("state"));
        Path file = Files.writeString(tmp.resolve("motd"), "hello\n");
        Recipe leaf = TestRecipes.child(tmp, "tiny", TestRecipes.base(tmp), List.of("hello"), file);
        BuildListener print = new BuildListener() {
            @Override
            public void stageFinished(String stage, java.time.Duration d, String detail) {
                System.err.println("STAGE " + stage + " " + d.toMillis() + " ms " + detail);
            }
        };
        BuildResult result = new ImageBuilder(dirs, print).build(leaf, BuildOptions.defaults());
        System.err.println(result);
    }
}
