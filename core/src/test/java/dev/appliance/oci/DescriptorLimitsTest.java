package dev.appliance.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.InvalidInputException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/**
 * Descriptors and digests read from a registry's manifest are checked before any use (a path, a
 * URL, a size).
 */
class DescriptorLimitsTest {
  private static final String HEX = "a".repeat(64);

  private static InvalidInputException refused(String layerDigest, String layerSize) {
    String json =
        "{\"schemaVersion\":2,\"mediaType\":\""
            + MediaTypes.OCI_MANIFEST
            + "\","
            + "\"config\":{\"mediaType\":\""
            + MediaTypes.OCI_CONFIG
            + "\",\"digest\":\"sha256:"
            + HEX
            + "\",\"size\":2},"
            + "\"layers\":[{\"mediaType\":\""
            + MediaTypes.OCI_LAYER_GZIP
            + "\",\"digest\":"
            + layerDigest
            + ",\"size\":"
            + layerSize
            + "}]}";
    return assertThrows(
        InvalidInputException.class,
        () -> Manifest.parse(json.getBytes(StandardCharsets.UTF_8), "x:1 manifest"));
  }

  @Test
  void sizesMustBeNonNegativeIntegersBelowTheLimit() {
    assertTrue(
        refused("\"sha256:" + HEX + "\"", "-1")
            .getMessage()
            .contains("x:1 manifest layers: descriptor size -1 is out of range"));
    assertTrue(
        refused("\"sha256:" + HEX + "\"", Long.toString(Descriptor.MAX_SIZE + 1))
            .getMessage()
            .contains("out of range"));
    assertTrue(refused("\"sha256:" + HEX + "\"", "1.5").getMessage().contains("integer size"));
    assertTrue(refused("\"sha256:" + HEX + "\"", "\"12\"").getMessage().contains("integer size"));
  }

  @Test
  void digestsAreStrictlyAlgorithmAndLowerCaseHexOfTheRightLength() {
    for (String bad :
        new String[] {
          "sha256:../../../etc/passwd",
          "sha256:" + HEX.toUpperCase(),
          "sha256:" + HEX + "\\n",
          "sha256:" + HEX.substring(1),
          "md5:" + HEX,
          "sha256/" + HEX,
          "SHA256:" + HEX
        }) {
      InvalidInputException e = refused("\"" + bad + "\"", "1");
      assertTrue(e.getMessage().startsWith("x:1 manifest layers: invalid digest"), e.getMessage());
      assertFalse(
          e.getMessage().contains("\n"),
          "control characters are escaped in messages: " + e.getMessage());
    }
    assertEquals(new Digest("sha256", HEX), Digest.parse("sha256:" + HEX));
  }
}
