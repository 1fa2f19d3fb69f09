package dev.appliance.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shipped base masks what an appliance never needs at boot, and a recipe extending it opts back
 * in with {@code services: enable:}. Applying both to a root file system (unmask, then enable) is
 * ImageBuilderTest's {@code aChildEnablesAUnitItsParentMasked}.
 */
class ServiceMaskTest {
  private static final Path RECIPES = RecipeParserTest.repositoryRoot().resolve("recipes");
  private static final Path BASE = RECIPES.resolve("base/debian.yaml");

  @Test
  void theBaseMasksTimersAndGettysButNotWhatItsRecipesStart() {
    Recipe base = new RecipeParser().parse(BASE);
    List<String> mask = base.services().mask();
    assertTrue(
        mask.containsAll(
            List.of(
                "apt-daily.timer",
                "apt-daily-upgrade.timer",
                "man-db.timer",
                "e2scrub_all.timer",
                "fstrim.timer",
                "getty@tty1.service",
                "serial-getty@ttyS0.service",
                "systemd-udev-settle.service")),
        mask.toString());
    for (String needed : base.services().enable()) {
      assertTrue(!mask.contains(needed), needed + " is enabled and masked");
    }
    for (String recipe : List.of("lamp/lamp.yaml", "snort/snort.yaml")) {
      Recipe r = new RecipeParser().parse(RECIPES.resolve(recipe));
      r.services().enable().forEach(u -> assertTrue(!mask.contains(u), recipe + " enables " + u));
    }
  }

  @Test
  void aRecipeExtendingTheBaseEnablesAMaskedUnit(@TempDir Path dir) throws IOException {
    Path child =
        Files.writeString(
            dir.resolve("console.yaml"),
            "extends: "
                + BASE
                + "\nname: console\nversion: \"1\"\nservices:\n  enable: [getty@tty1.service]\n");
    Recipe r = new RecipeParser().parse(child);
    assertEquals(List.of("getty@tty1.service"), r.services().enable());
    assertEquals(List.of(), r.services().mask(), "the child's layer masks nothing itself");
    assertTrue(r.parent().services().mask().contains("getty@tty1.service"));
  }
}
