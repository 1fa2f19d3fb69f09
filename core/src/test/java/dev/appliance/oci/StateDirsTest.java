package dev.appliance.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.InvalidInputException;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The state-dirs label comes from an untrusted image: read strictly, errors name image and label.
 */
class StateDirsTest {
  private static final String IMAGE = "127.0.0.1:5000/lamp:1";

  @Test
  void labelRoundTripsInRecipeOrder() {
    StateDirs dirs = new StateDirs(List.of("/var/lib/mysql", "/srv/app-data"));
    assertEquals("[\"/var/lib/mysql\",\"/srv/app-data\"]", dirs.toLabel());
    assertEquals(dirs, StateDirs.fromLabels(Map.of(StateDirs.LABEL, dirs.toLabel()), IMAGE));
  }

  @Test
  void anImageWithoutTheLabelHasNone() {
    assertEquals(StateDirs.NONE, StateDirs.fromLabels(Map.of(), IMAGE));
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "\"/var/lib/mysql\"",
        "[\"var/lib/mysql\"]",
        "[\"/var/lib/../etc\"]",
        "[\"/var/lib/a\\nb\"]",
        "[\"/\"]",
        "[null]",
        "[1]",
        "[\"/a\",\"/a\"]",
        "null",
        "[\"/a\"] x"
      })
  void malformedLabelsAreRefusedNamingImageAndLabel(String label) {
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () -> StateDirs.fromLabels(Map.of(StateDirs.LABEL, label), IMAGE));
    assertTrue(
        e.getMessage().startsWith(IMAGE + ": malformed label dev.appliance.state-dirs: "),
        e.getMessage());
    assertTrue(
        e.getMessage().codePoints().allMatch(c -> c >= 0x20 && c != 0x7f),
        "printable: " + e.getMessage());
  }
}
