package dev.appliance.registry;

import dev.appliance.store.ImageStore;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes images into a store until killed, as a build does at its end (layer blobs, config,
 * manifest, tag), for tests that kill it: {@code StoreWriterMain STORE}. Prints {@code ready} once
 * the first image is tagged.
 */
public final class StoreWriterMain {
  private StoreWriterMain() {}

  public static void main(String[] args) throws Exception {
    ImageStore store = ImageStore.open(Path.of(args[0]));
    for (int i = 0; ; i++) {
      TestImages.Layer layer =
          TestImages.layer(store, System.nanoTime(), 256 * 1024 + (i % 7) * 200_000);
      TestImages.image(store, "img:" + (i % 4), List.of(layer));
      if (i % 5 == 4) {
        store.untag("img:" + (i % 3));
      }
      if (i == 0) {
        System.out.println("ready");
        System.out.flush();
      }
    }
  }
}
