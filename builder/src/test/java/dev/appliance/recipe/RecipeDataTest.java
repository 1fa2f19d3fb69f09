package dev.appliance.recipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.DataFormat;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The recipe's {@code data} section: bound, checked, inherited whole, and its image label. */
class RecipeDataTest {
  private final RecipeParser parser = new RecipeParser();

  private static Path write(Path dir, String name, String yaml) throws Exception {
    return Files.writeString(dir.resolve(name), yaml);
  }

  @Test
  void dataIsBoundInheritedWholeAndBecomesALabel(@TempDir Path dir) throws Exception {
    write(
        dir,
        "parent.yaml",
        "name: p\nversion: \"1\"\ndata:\n  version: 2\n  upgrade: /usr/lib/p/data-upgrade\n");
    Recipe child =
        parser.parse(write(dir, "child.yaml", "extends: parent.yaml\nname: c\nversion: \"1\"\n"));
    assertEquals(new DataFormat(2, "/usr/lib/p/data-upgrade"), child.data());

    Recipe replaced =
        parser.parse(
            write(
                dir,
                "other.yaml",
                "extends: parent.yaml\nname: o\nversion: \"1\"\ndata:\n  version: 3\n"));
    assertEquals(new DataFormat(3, null), replaced.data(), "replaced as a whole");
    assertNull(parser.parse(write(dir, "none.yaml", "name: n\nversion: \"1\"\n")).data());

    String label = child.data().toLabel();
    assertEquals("{\"version\":2,\"upgrade\":\"/usr/lib/p/data-upgrade\"}", label);
    assertEquals(
        child.data(),
        DataFormat.fromLabels(Map.of(DataFormat.LABEL, label), "p:1").orElseThrow(),
        "the runtime reads back what the builder writes");
  }

  @Test
  void aHookPathThatCouldBreakTheKernelCommandLineIsRefusedWithItsPosition(@TempDir Path dir)
      throws Exception {
    Path recipe =
        write(
            dir,
            "bad.yaml",
            "name: b\nversion: \"1\"\ndata:\n  version: 1\n  upgrade: \"/usr/bin/x init=/bin/sh\"\n");
    InvalidInputException e = assertThrows(InvalidInputException.class, () -> parser.parse(recipe));
    assertTrue(e.getMessage().contains(":5:12: data.upgrade: "), e.getMessage());
    assertTrue(e.getMessage().contains("is not an absolute path"), e.getMessage());
  }

  @Test
  void aVersionOutOfRangeOrMissingIsRefused(@TempDir Path dir) throws Exception {
    Path zero = write(dir, "zero.yaml", "name: z\nversion: \"1\"\ndata:\n  version: 0\n");
    assertTrue(
        assertThrows(InvalidInputException.class, () -> parser.parse(zero))
            .getMessage()
            .contains("data.version"));
    Path missing =
        write(dir, "missing.yaml", "name: m\nversion: \"1\"\ndata:\n  upgrade: /usr/bin/u\n");
    String message =
        assertThrows(InvalidInputException.class, () -> parser.parse(missing)).getMessage();
    assertTrue(message.contains("data: missing required key 'version'"), message);
  }

  @Test
  void aHostileLabelIsRefusedByTheRuntimesReader() {
    for (String label :
        new String[] {
          "{\"version\":1,\"upgrade\":\"/x y\"}",
          "{\"version\":-1}",
          "{\"version\":\"1\"}",
          "{\"version\":1,\"extra\":true}",
          "{\"version\":1,\"upgrade\":\"/a/../b\"}"
        }) {
      InvalidInputException e =
          assertThrows(
              InvalidInputException.class,
              () -> DataFormat.fromLabels(Map.of(DataFormat.LABEL, label), "evil:1"),
              label);
      assertTrue(
          e.getMessage().startsWith("evil:1: malformed label dev.appliance.data: "),
          e.getMessage());
    }
  }
}
