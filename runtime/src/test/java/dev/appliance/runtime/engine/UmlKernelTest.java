package dev.appliance.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.appliance.common.FileTrees;
import dev.appliance.runtime.disk.ElfFile;
import dev.appliance.runtime.disk.HostTool;
import dev.appliance.runtime.disk.ImageFiles;
import dev.appliance.runtime.disk.ImageLayers;
import dev.appliance.runtime.disk.TestLayer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The prepared kernel runs from the cache it was prepared in, and from a copy of that cache once
 * the original is gone (a home moved or copied with {@code cp -a}). The host's own /usr/bin/true
 * and glibc stand in for the image's linux.uml: real ELF files that patchelf rewrites and the test
 * can run.
 */
class UmlKernelTest {
  private static final int THREADS = 6;

  @TempDir Path tmp;

  @Test
  void preparedKernelRunsAndStillRunsAfterItsHomeMoved() throws Exception {
    Path home = tmp.resolve("home");
    Path kernel = UmlKernel.prepare(program(home), home.resolve("cache/uml/sha256-22"));
    assertEquals(
        home.resolve("cache/uml/sha256-22/lib/ld-linux-x86-64.so.2").toAbsolutePath().toString(),
        ElfFile.interpreterOf(kernel));
    assertRuns(kernel);
    assertEquals(kernel, UmlKernel.prepare(program(home), home.resolve("cache/uml/sha256-22")));

    Path moved = tmp.resolve("moved");
    HostTool.run(List.of("cp", "-a", home.toString(), moved.toString()), tmp);
    FileTrees.delete(home);
    Path again = UmlKernel.prepare(program(moved), moved.resolve("cache/uml/sha256-22"));

    assertEquals(moved.resolve("cache/uml/sha256-22/linux.uml"), again);
    assertEquals(
        moved.resolve("cache/uml/sha256-22/lib/ld-linux-x86-64.so.2").toAbsolutePath().toString(),
        ElfFile.interpreterOf(again),
        "prepared again for its new place");
    assertRuns(again);
  }

  /** Runs of the same image started at once (a script, a fleet) prepare its kernel once, whole. */
  @Test
  void runsStartedAtOncePrepareTheKernelWhole() throws Exception {
    Path home = tmp.resolve("home");
    ImageFiles.Program program = program(home);
    Path dir = home.resolve("cache/uml/sha256-22");
    ExecutorService pool = Executors.newFixedThreadPool(THREADS);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Path>> runs = new ArrayList<>();
      for (int i = 0; i < THREADS; i++) {
        runs.add(
            pool.submit(
                () -> {
                  start.await();
                  Path kernel = UmlKernel.prepare(program, dir);
                  assertRuns(kernel);
                  return kernel;
                }));
      }
      start.countDown();
      for (Future<Path> run : runs) {
        assertEquals(dir.resolve("linux.uml"), run.get(2, TimeUnit.MINUTES));
      }
    } finally {
      pool.shutdownNow();
    }
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(
          List.of(".prepare.lock", "lib", "linux.uml"),
          files.map(f -> f.getFileName().toString()).sorted().toList(),
          "no temporary file left");
    }
  }

  private ImageFiles.Program program(Path home) throws Exception {
    Files.createDirectories(home);
    Path layer = TestLayer.hostProgram("usr/bin/linux.uml").writeTo(home.resolve("layer.tar.gz"));
    ImageLayers image = new ImageLayers("test:1", "sha256:22", List.of(layer));
    return new ImageFiles(home.resolve("cache/files")).extractProgram(image, "/usr/bin/linux.uml");
  }

  private static void assertRuns(Path kernel) {
    HostTool.Result run =
        HostTool.runAllowingFailure(List.of(kernel.toString()), kernel.getParent(), Map.of());
    assertEquals(0, run.exitCode(), run.stderr());
  }
}
