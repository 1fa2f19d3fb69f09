package dev.appliance.runtime.disk;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Runs one assembly in its own JVM, so a test can run it as another user. Args: CACHE DIGEST SIZE LAYER... */
public final class AssembleMain {
    private AssembleMain() {}

    public static void main(String[] args) {
        List<Path> layers = new ArrayList<>();
        for (int i = 3; i < args.length; i++) {
            layers.add(Path.of(args[i]));
        }
        Path disk = new DiskAssembler(Path.of(args[0])).assemble(new ImageLayers("test:1", args[1], layers), Long.parseLong(args[2]));
        System.out.println(disk);
    }
}
