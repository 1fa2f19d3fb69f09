package dev.appliance.runtime.disk;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs one assembly in its own JVM, so a test can run it as another user or as several processes at
 * once. Args: CACHE DIGEST SIZE LAYER... Prints the disk's path and inode number, tab-separated.
 */
public final class AssembleMain {
  private AssembleMain() {}

  public static void main(String[] args) throws java.io.IOException {
    List<Path> layers = new ArrayList<>();
    for (int i = 3; i < args.length; i++) {
      layers.add(Path.of(args[i]));
    }
    Path disk =
        new DiskAssembler(Path.of(args[0]))
            .assemble(new ImageLayers("test:1", args[1], layers), Long.parseLong(args[2]));
    System.out.println(disk + "\t" + java.nio.file.Files.getAttribute(disk, "unix:ino"));
  }
}
