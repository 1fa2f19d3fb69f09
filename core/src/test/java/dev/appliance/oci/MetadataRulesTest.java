package dev.appliance.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class MetadataRulesTest {
  @Test
  void sizesAreWholeNumbersWithABinaryUnit() {
    assertEquals(512L << 20, MetadataRules.parseSize("512M"));
    assertEquals(64L << 30, MetadataRules.parseSize("64G"));
    assertEquals(2L << 40, MetadataRules.parseSize("2T"));
    assertEquals(
        Long.MAX_VALUE,
        MetadataRules.parseSize("99999999999T"),
        "too large for a long: over every maximum");
    assertEquals(
        "'1.5G' is not a size: no fractions",
        assertThrows(MetadataRules.BadSize.class, () -> MetadataRules.parseSize("1.5G"))
            .getMessage());
    assertEquals(
        "'1024' has no unit",
        assertThrows(MetadataRules.BadSize.class, () -> MetadataRules.parseSize("1024"))
            .getMessage());
    assertEquals(
        "'5Q' has an unknown unit 'Q'",
        assertThrows(MetadataRules.BadSize.class, () -> MetadataRules.parseSize("5Q"))
            .getMessage());
    assertEquals(
        "'-1G' is not a size",
        assertThrows(MetadataRules.BadSize.class, () -> MetadataRules.parseSize("-1G"))
            .getMessage());
  }

  @Test
  void parameterNamesCannotNameAnotherPlace() {
    assertTrue(MetadataRules.PARAM_NAME.accepts("home_net"));
    for (String bad :
        new String[] {
          "../x", "/etc/passwd", ".", "..", "a/b", "", "A", "x\n", "_x", "x".repeat(64)
        }) {
      assertFalse(MetadataRules.PARAM_NAME.accepts(bad), bad);
    }
  }

  @Test
  void imagePathsAreAbsoluteNormalizedAndPrintable() {
    assertTrue(MetadataRules.isImagePath("/boot/vmlinuz-6.12.1-cloud-amd64"));
    for (String bad :
        new String[] {
          "boot/vmlinuz",
          "/",
          "/boot/",
          "/boot/../etc/shadow",
          "/./x",
          "//x",
          "/a\nb",
          "/a\u0000",
          "/" + "x".repeat(4096)
        }) {
      assertFalse(MetadataRules.isImagePath(bad), bad);
    }
  }

  @Test
  void healthPathsCannotCarryHeaders() {
    assertTrue(MetadataRules.HEALTH_PATH.accepts("/healthz?full=1"));
    assertFalse(MetadataRules.HEALTH_PATH.accepts("/ HTTP/1.1\r\nHost: evil"));
    assertFalse(MetadataRules.HEALTH_PATH.accepts("/a b"));
    assertFalse(MetadataRules.HEALTH_PATH.accepts("healthz"));
    assertFalse(MetadataRules.HEALTH_PATH.accepts("/" + "x".repeat(1024)));
  }

  @Test
  void descriptionsKeepLineBreaksButNoOtherControlCharacters() {
    assertTrue(
        MetadataRules.DESCRIPTION.accepts("line one\nline two\twith a tab, e.g. \"tcp port 80\""));
    assertFalse(MetadataRules.DESCRIPTION.accepts("red \u001b[31malert"));
    assertFalse(
        MetadataRules.DESCRIPTION.accepts("abc\u202edcba"), "a bidirectional override hides text");
    assertFalse(MetadataRules.DESCRIPTION.accepts("x".repeat(1025)));
  }

  @Test
  void valuesInMessagesAreQuotedShortAndPrintable() {
    assertEquals("'a\\u001b[2Jb'", MetadataRules.quote("a\u001b[2Jb"));
    assertEquals("'" + "x".repeat(80) + "...'", MetadataRules.quote("x".repeat(500)));
    assertEquals(
        "x".repeat(500) + "\\u0007",
        MetadataRules.escaped("x".repeat(500) + "\u0007"),
        "escaped keeps it all");
    assertEquals("caf\u00e9 \\u202e", MetadataRules.escaped("caf\u00e9 \u202e"));
  }
}
