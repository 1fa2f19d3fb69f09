package dev.appliance.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.InvalidInputException;
import org.junit.jupiter.api.Test;

class RemoteReferencesTest {
  @Test
  void aRemoteReferenceMustNameARegistry() {
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class, () -> RemoteReferences.parse("ops/lamp:1", "image"));
    assertTrue(e.getMessage().contains("names no registry"), e.getMessage());
    assertEquals(
        "registry.example/ops/lamp:1",
        RemoteReferences.parse("registry.example/ops/lamp:1", "image").toString());
  }

  @Test
  void dockerHubOfficialImagesAreUnderLibrary() {
    assertEquals(
        "docker.io/library/debian:13",
        RemoteReferences.parse("docker.io/debian:13", "image").toString());
    assertEquals(
        "docker.io/ops/lamp:1", RemoteReferences.parse("docker.io/ops/lamp:1", "image").toString());
    assertEquals("registry-1.docker.io", Endpoint.apiHost("docker.io"));
  }
}
