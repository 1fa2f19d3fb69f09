package dev.appliance.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.io.RandomAccessFile;
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
 * Instances of one image share its base disk, whatever their engines: a QEMU guest starts while a
 * UML guest runs on the same base. UML's ubd driver holds a whole-file read lock on its backing
 * file; here the test holds the same kind of lock (Java's file locks are the same fcntl locks) and
 * starts the real qemu-system-x86_64 with the disk option {@link QemuEngine} builds, paused, asking
 * its monitor for the block devices.
 */
class SharedBaseDiskTest {
  @TempDir Path tmp;

  @Test
  void qemuOpensItsOverlayWhileUmlLocksTheSharedBase() throws Exception {
    Path base = tmp.resolve("base.ext4");
    try (RandomAccessFile file = new RandomAccessFile(base.toFile(), "rw")) {
      file.setLength(64L << 20);
    }
    Path overlay = tmp.resolve("disk.qcow2");
    QemuEngine.createOverlay(base, overlay, tmp);
    List<String> engine =
        new QemuEngine(EngineKind.TCG)
            .command(
                EngineCommandTest.spec(base),
                overlay,
                tmp.resolve("qmp.sock"),
                tmp.resolve("vde.sock"));
    String drive = engine.get(engine.indexOf("-drive") + 1);
    assertTrue(drive.startsWith("file=" + overlay + ","), drive);

    try (FileChannel held = FileChannel.open(base, StandardOpenOption.READ);
        FileLock umlLock = held.lock(0, Long.MAX_VALUE, true)) {
      List<String> qemu =
          List.of(
              "qemu-system-x86_64",
              "-accel",
              "tcg",
              "-nodefaults",
              "-no-user-config",
              "-display",
              "none",
              "-S",
              "-monitor",
              "stdio",
              "-drive",
              drive);
      // Output to a file, so that the time limit holds even if QEMU never quits.
      Path log = tmp.resolve("qemu.log");
      Process process =
          new ProcessBuilder(qemu).redirectErrorStream(true).redirectOutput(log.toFile()).start();
      try (OutputStream in = process.getOutputStream()) {
        in.write("info block\nquit\n".getBytes(StandardCharsets.US_ASCII));
      }
      boolean quit = process.waitFor(60, TimeUnit.SECONDS);
      process.destroyForcibly();
      String output = new String(Files.readAllBytes(log), StandardCharsets.UTF_8);
      assertTrue(quit, "QEMU did not quit within 60 s:\n" + output);
      assertEquals(0, process.exitValue(), output);
      assertTrue(output.contains(overlay.toString()), output);
      assertTrue(umlLock.isValid());
    }
  }
}
