package dev.appliance.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.InvalidInputException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The image's kernel arguments reach UML's command line only as guest arguments. Labels are checked
 * when read (ApplianceMetadataLabelsTest); the engine checks the line again, since it also comes
 * back from instance.json.
 */
class GuestKernelArgumentsTest {
  private static BootSpec spec(String cmdline) {
    return new BootSpec(
        Path.of("/state/i/web"),
        Path.of("/data/disks/base.ext4"),
        List.of(Path.of("/state/i/web/config.img")),
        512,
        1,
        List.of(),
        cmdline,
        new BootSpec.Kernels(Path.of("/k/vmlinuz"), Path.of("/k/initrd"), Path.of("/k/linux.uml")),
        false);
  }

  @Test
  void guestArgumentsFollowTheEnginesOwn() {
    List<String> c =
        new UmlEngine()
            .command(
                spec("quiet appliance.config=disk"), Path.of("/s"), new UmlFeatures(true, false));
    assertEquals(List.of("quiet", "appliance.config=disk"), c.subList(c.size() - 2, c.size()));
  }

  @Test
  void aHostFileDiskOrAHostListenerIsRefusedBeforeAnythingStarts() {
    for (String hostile :
        List.of(
            "quiet ubd7=/etc/passwd",
            "con1=port:9999",
            "ssl0=port:2222",
            "hostfs=/",
            "umid=x",
            "uml_dir=/home",
            "mem=64G",
            "initrd=/etc/shadow",
            "quiet\nubd2=/etc/passwd")) {
      InvalidInputException e =
          assertThrows(
              InvalidInputException.class,
              () ->
                  new UmlEngine()
                      .command(spec(hostile), Path.of("/s"), new UmlFeatures(true, false)),
              hostile);
      assertTrue(e.getMessage().startsWith("kernel command line: "), e.getMessage());
    }
    List<String> c =
        new UmlEngine().command(spec("quiet"), Path.of("/s"), new UmlFeatures(true, false));
    assertFalse(
        c.stream().anyMatch(a -> a.startsWith("ubd7") || a.startsWith("con1")), c.toString());
  }
}
