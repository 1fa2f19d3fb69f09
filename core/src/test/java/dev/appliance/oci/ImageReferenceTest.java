package dev.appliance.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.InvalidInputException;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImageReferenceTest {
  @Test
  void localNamesHaveNoRegistryAndDefaultToLatest() {
    ImageReference ref = ImageReference.parse("lamp");
    assertNull(ref.registry());
    assertEquals("lamp:latest", ref.toString());
    assertEquals("1.0.0", ImageReference.parse("lamp:1.0.0").tag());
  }

  @Test
  void aFirstComponentWithDotPortOrLocalhostIsARegistry() {
    ImageReference ref = ImageReference.parse("127.0.0.1:5000/ops/lamp:1.0.0");
    assertEquals("127.0.0.1:5000", ref.registry());
    assertEquals("ops/lamp", ref.repository());
    assertTrue(ref.isLoopbackRegistry());
    assertEquals("registry.example", ImageReference.parse("registry.example/lamp").registry());
    assertEquals("localhost", ImageReference.parse("localhost/lamp").registry());
    assertNull(ImageReference.parse("ops/lamp").registry());
    assertFalse(ImageReference.parse("registry.example/lamp").isLoopbackRegistry());
  }

  @Test
  void digestsPinTheManifest() {
    String hex = "a".repeat(64);
    ImageReference ref = ImageReference.parse("reg.example:443/lamp@sha256:" + hex);
    assertEquals("sha256:" + hex, ref.tagOrDigest());
    assertNull(ref.tag());
  }

  @Test
  void badReferencesNameTheProblem() {
    InvalidInputException upper =
        assertThrows(InvalidInputException.class, () -> ImageReference.parse("Lamp:1"));
    assertTrue(upper.getMessage().contains("'Lamp'"), upper.getMessage());
    InvalidInputException tag =
        assertThrows(InvalidInputException.class, () -> ImageReference.parse("lamp:-bad"));
    assertTrue(tag.getMessage().contains("not a valid tag"), tag.getMessage());
    assertThrows(InvalidInputException.class, () -> ImageReference.parse("lamp@sha256:xyz"));
    assertThrows(InvalidInputException.class, () -> ImageReference.parse(""));
  }

  @Test
  void onlyLoopbackLiteralsAndLocalhostAreLoopbackNeverNamesThatLookLikeThem() {
    for (String loopback :
        List.of(
            "localhost:5000",
            "127.0.0.1:5000",
            "127.255.3.4",
            "[::1]:5000",
            "[0:0:0:0:0:0:0:1]:443")) {
      assertTrue(ImageReference.parse(loopback + "/x:1").isLoopbackRegistry(), loopback);
    }
    for (String remote :
        List.of(
            "127.0.0.1.evil.example",
            "127.0.0.1.nip.io:5000",
            "127.example",
            "127.0.0.256",
            "127.0.0",
            "localhost.evil.example",
            "128.0.0.1:5000",
            "[::2]:5000",
            "[1::1]",
            "10.0.2.2:5000")) {
      assertFalse(ImageReference.parse(remote + "/x:1").isLoopbackRegistry(), remote);
    }
  }
}
