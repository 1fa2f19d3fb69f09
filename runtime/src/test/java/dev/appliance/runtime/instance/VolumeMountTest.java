package dev.appliance.runtime.instance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.InvalidInputException;
import java.util.List;
import org.junit.jupiter.api.Test;

class VolumeMountTest {
  @Test
  void volumeMounts() {
    assertEquals(
        new VolumeMount("lamp-data", "/var/lib/mysql"),
        VolumeMount.parse("lamp-data:/var/lib/mysql"));
    for (String bad :
        List.of("x", ":/a", "a:relative", "a:/", "a:/x/../etc", "../x:/a", "a:/with space")) {
      InvalidInputException e =
          assertThrows(InvalidInputException.class, () -> VolumeMount.parse(bad));
      assertTrue(e.getMessage().startsWith("volume mount " + bad + ":"), e.getMessage());
    }
  }
}
