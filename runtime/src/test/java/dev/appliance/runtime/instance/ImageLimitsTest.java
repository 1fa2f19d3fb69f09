package dev.appliance.runtime.instance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.ApplianceMetadata;
import dev.appliance.runtime.host.RunRemedy;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImageLimitsTest {
  private static ApplianceMetadata withDisk(long bytes) {
    return new ApplianceMetadata("web", "1", List.of(), null, 512, 1, bytes, null, "", List.of());
  }

  @Test
  void theDefaultAllowsUpTo64G() {
    assertEquals(64L << 30, ImageLimits.DEFAULTS.maxDiskBytes());
    ApplianceMetadata ok = withDisk(64L << 30);
    assertSame(ok, ImageLimits.DEFAULTS.check(ok, "img"));
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () -> ImageLimits.DEFAULTS.check(withDisk(16L << 40), "127.0.0.1:5000/x:1"));
    assertEquals(
        "127.0.0.1:5000/x:1: label dev.appliance.disk-bytes asks for a 16T disk, more than the maximum disk size"
            + " of 64G",
        e.getMessage());
    assertEquals(java.util.Optional.of(RunRemedy.RAISE_DISK_LIMIT), e.remedy());
  }

  @Test
  void theUserCanRaiseTheMaximumWithinTheRule() {
    ApplianceMetadata big = withDisk(100L << 30);
    assertSame(big, new ImageLimits(128L << 30).check(big, "img"));
    assertThrows(InvalidInputException.class, () -> new ImageLimits(1L << 20));
    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> new ImageLimits(Long.MAX_VALUE));
    assertTrue(e.getMessage().contains("out of range (64M to 16T)"), e.getMessage());
  }
}
