package dev.appliance.builder;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/** Writes one layer in its own JVM, so a test can choose that JVM's locale. Args: TREE LAYER. */
public final class WriteLayerMain {
  private WriteLayerMain() {}

  public static void main(String[] args) throws Exception {
    try (OutputStream out = Files.newOutputStream(Path.of(args[1]))) {
      new LayerWriter(1_700_000_000L, 1).write(Path.of(args[0]), out, n -> {});
    }
    System.out.println(System.getProperty("sun.jnu.encoding"));
  }
}
