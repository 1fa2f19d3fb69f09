package dev.appliance.runtime.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.ApplianceException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ImageFilesTest {
  @TempDir Path tmp;

  /** Reads the layers, or (fromDisk) the image's root disk assembled first, as the runtime does. */
  ImageFiles files(ImageLayers image, boolean fromDisk) {
    if (!fromDisk) {
      return new ImageFiles(tmp.resolve("cache"));
    }
    DiskAssembler disks = new DiskAssembler(tmp.resolve("disks"));
    disks.assemble(image, DiskAssemblerTest.SIZE);
    return new ImageFiles(tmp.resolve("cache"), disks);
  }

  @ParameterizedTest(name = "from disk: {0}")
  @ValueSource(booleans = {false, true})
  void extractsFilesThroughSymlinksAndWhiteouts(boolean fromDisk) throws IOException {
    Path lower =
        new TestLayer()
            .file("boot/vmlinuz-6.12", "kernel v1")
            .file("boot/initrd.img-6.12", "initrd v1")
            .symlink("vmlinuz", "boot/vmlinuz-6.12")
            .symlink("initrd.img", "/boot/initrd.img-6.12")
            .symlink("etc/escape", "/../../../../etc/hostname")
            .writeTo(tmp.resolve("lower.tar.gz"));
    Path upper =
        new TestLayer()
            .file("boot/vmlinuz-6.12", "kernel v2")
            .file("boot/.wh.initrd.img-6.12", "")
            .writeTo(tmp.resolve("upper.tar.gz"));
    ImageLayers image = new ImageLayers("test:1", "sha256:11", List.of(lower, upper));
    ImageFiles files = files(image, fromDisk);

    ImageFiles.Extracted out =
        files.extract(image, List.of("/vmlinuz", "/initrd.img", "/etc/escape", "/nope"));

    assertEquals(
        "kernel v2",
        Files.readString(out.files().get("/vmlinuz")),
        "upper layer wins, symlink followed");
    assertNull(out.files().get("/initrd.img"), "whited out");
    assertNull(
        out.files().get("/etc/escape"),
        "absolute links stay in the image: /etc/hostname is not there");
    assertNull(out.files().get("/nope"));
    assertTrue(out.files().get("/vmlinuz").startsWith(tmp.resolve("cache")));

    ImageFiles.Extracted again =
        files.extract(image, List.of("/nope", "/etc/escape", "/initrd.img", "/vmlinuz"));
    assertEquals(out, again, "cache hit for the same set of paths");
  }

  /**
   * Uses the host's own /usr/bin/true and glibc as image content: real ELF files the test can run.
   */
  @ParameterizedTest(name = "from disk: {0}")
  @ValueSource(booleans = {false, true})
  void extractsAProgramWithItsLoaderAndLibrariesThatRuns(boolean fromDisk) throws Exception {
    Path layer = TestLayer.hostProgram("usr/bin/true").writeTo(tmp.resolve("layer.tar.gz"));
    ImageLayers image = new ImageLayers("test:1", "sha256:22", List.of(layer));

    ImageFiles.Program program = files(image, fromDisk).extractProgram(image, "/usr/bin/true");

    assertEquals(
        List.of("ld-linux-x86-64.so.2", "libc.so.6"),
        program.libraries().stream().sorted().toList());
    assertEquals(program.libraryDir().resolve("ld-linux-x86-64.so.2"), program.interpreter());
    HostTool.Result run =
        HostTool.runAllowingFailure(
            List.of(
                program.interpreter().toString(),
                "--library-path",
                program.libraryDir().toString(),
                program.program().toString()),
            tmp,
            Map.of());
    assertEquals(0, run.exitCode(), run.stderr());
  }

  @ParameterizedTest(name = "from disk: {0}")
  @ValueSource(booleans = {false, true})
  void missingLibraryIsAClearError(boolean fromDisk) throws IOException {
    Path layer =
        new TestLayer()
            .file("usr/bin/true", Files.readAllBytes(Path.of("/usr/bin/true")), 0755)
            .writeTo(tmp.resolve("layer.tar.gz"));
    ImageLayers image = new ImageLayers("test:1", "sha256:33", List.of(layer));
    Path cache = tmp.resolve("cache");

    ApplianceException e =
        assertThrows(
            ApplianceException.class,
            () -> files(image, fromDisk).extractProgram(image, "/usr/bin/true"));
    assertTrue(
        e.getMessage().contains("ld-linux-x86-64.so.2") || e.getMessage().contains("libc.so.6"),
        e.getMessage());
    assertFalse(
        Files.exists(cache.resolve(image.cacheKey()))
            && hasEntries(cache.resolve(image.cacheKey())));
  }

  private static boolean hasEntries(Path dir) throws IOException {
    try (var s = Files.list(dir)) {
      return s.anyMatch(p -> !p.getFileName().toString().startsWith("."));
    }
  }
}
