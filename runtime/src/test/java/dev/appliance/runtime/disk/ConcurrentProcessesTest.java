package dev.appliance.runtime.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Another process building the same disk: this test plays that process by holding the disk's lock
 * file, then "finishing" the disk, and checks that a real assembly in a child JVM waits for it and
 * takes its result instead of building again.
 */
class ConcurrentProcessesTest {
  @TempDir Path tmp;

  @Test
  void aSecondProcessWaitsForTheBuildInProgressAndDoesNotRepeatIt() throws Exception {
    Path layer = DiskAssemblerTest.fidelityLayer().writeTo(tmp.resolve("layer.tar.gz"));
    Path cache = tmp.resolve("cache");
    ImageLayers image = new ImageLayers("test:1", "sha256:c0", List.of(layer));
    Path disk = new DiskAssembler(cache).cachedPath(image, DiskAssemblerTest.SIZE);
    Path lockFile =
        Files.createDirectories(cache.resolve(".locks")).resolve(disk.getFileName() + ".lock");

    Process child;
    try (FileChannel channel =
            FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        FileLock held = channel.lock()) {
      child =
          new ProcessBuilder(
                  Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                  "-cp",
                  System.getProperty("java.class.path"),
                  AssembleMain.class.getName(),
                  cache.toString(),
                  image.digest(),
                  Long.toString(DiskAssemblerTest.SIZE),
                  layer.toString())
              .redirectError(tmp.resolve("err").toFile())
              .start();
      assertFalse(
          child.waitFor(5, TimeUnit.SECONDS), "the child must wait while the build is in progress");
      assertFalse(Files.exists(disk));
      Files.writeString(disk, "built by the other process");
    }
    assertTrue(child.waitFor(60, TimeUnit.SECONDS));
    String out = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, child.exitValue(), Files.readString(tmp.resolve("err")));
    assertEquals(disk.toString(), out.strip().split("\t")[0]);
    assertEquals(
        "built by the other process", Files.readString(disk), "taken from the cache, not rebuilt");
  }
}
