package dev.appliance.builder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import dev.appliance.recipe.Recipe;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerPlanTest {
  private static final Map<String, Instant> RELEASES =
      Map.of("trixie", Instant.parse("2026-11-21T09:15:44Z"));

  @TempDir Path dir;

  @Test
  void stateDirsApplyToTheDeclaringRecipesLayersAndToEveryLaterOne() throws IOException {
    Path motd = Files.writeString(dir.resolve("motd"), "hi\n");
    Recipe base = TestRecipes.base(dir);
    Recipe db =
        TestRecipes.withStateDirs(
            TestRecipes.child(dir, "db", base, List.of("hello"), motd), List.of("/var/lib/db"));
    Recipe app = TestRecipes.child(dir, "app", db, List.of("cowsay"), motd);

    List<LayerPlan.Step> steps = LayerPlan.plan(app, RELEASES, null);

    assertEquals(
        List.of("base debian-trixie", "packages db", "files db", "packages app", "files app"),
        steps.stream().map(LayerPlan.Step::name).toList());
    assertEquals(
        List.of(
            List.of(),
            List.of("/var/lib/db"),
            List.of("/var/lib/db"),
            List.of("/var/lib/db"),
            List.of("/var/lib/db")),
        steps.stream().map(LayerPlan.Step::stateDirs).toList());
  }

  @Test
  void declaringStateDirsChangesTheLayersKeysFromThatRecipeOn() throws IOException {
    Path motd = Files.writeString(dir.resolve("motd"), "hi\n");
    Recipe base = TestRecipes.base(dir);
    Recipe plain = TestRecipes.child(dir, "db", base, List.of("hello"), motd);
    Recipe withState = TestRecipes.withStateDirs(plain, List.of("/var/lib/db"));

    List<LayerPlan.Step> a = LayerPlan.plan(plain, RELEASES, null);
    List<LayerPlan.Step> b = LayerPlan.plan(withState, RELEASES, null);

    assertEquals(a.get(0).key(), b.get(0).key(), "the base layer is shared");
    assertNotEquals(
        a.get(1).key(),
        b.get(1).key(),
        "a cached layer with the directory's content must not be reused");
    assertNotEquals(a.get(2).key(), b.get(2).key());
  }

  @Test
  void aPackagesStepLeavesOutTheKernelsSuiteUnlessOneOfItsPackagesNamesIt() {
    List<String> suites = List.of("trixie", "sid");

    assertEquals(
        List.of("sid"),
        LayerPlan.suitesNotNeeded(suites, "trixie", List.of("apache2", "mariadb-server=1:11.8")),
        "sid is there for the UML kernel only");
    assertEquals(
        List.of(),
        LayerPlan.suitesNotNeeded(suites, "trixie", List.of("apache2", "user-mode-linux/sid")),
        "a package asking for sid gets it");
    assertEquals(List.of(), LayerPlan.suitesNotNeeded(List.of("trixie"), "trixie", List.of("jq")));
  }
}
