package dev.appliance.runtime.disk;

import dev.appliance.common.ApplianceException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Files read straight from the layers: one pass builds the merged tree and notes which tar entry
 * holds each regular file; copying then reads only the layers that hold the files wanted, and stops
 * decompressing after the last of them.
 */
final class LayerFiles implements FileSource, TreeSink {
  /** The tar entry holding a file's content: layer index and entry position in it. */
  private record Source(int layer, int ordinal) {}

  private final ImageLayers image;
  private final ImageTree tree = new ImageTree(this, LayerLimits.UNSIZED);
  private final TreeMap<String, Source> sources = new TreeMap<>();
  private int layer;

  private LayerFiles(ImageLayers image) {
    this.image = image;
  }

  static LayerFiles scan(ImageLayers image) {
    LayerFiles files = new LayerFiles(image);
    for (int i = 0; i < image.layers().size(); i++) {
      files.layer = i;
      files.tree.addLayer(image, i);
    }
    return files;
  }

  @Override
  public String regularFile(String path) {
    String real = tree.resolve(path);
    return real != null && sources.containsKey(real) ? real : null;
  }

  @Override
  public void directory(String path) {
    // nothing to record: only regular files are extracted
  }

  @Override
  public void regularFile(String path, LayerEntry entry, InputStream content) {
    sources.put(path, new Source(layer, entry.ordinal()));
  }

  @Override
  public void hardLink(String path, String existing) {
    sources.put(path, sources.get(existing));
  }

  @Override
  public void remove(String path) {
    sources.remove(path);
    sources.subMap(path + "/", path + "0").clear();
  }

  @Override
  public void copy(Map<String, Path> targets) {
    Map<Integer, TreeMap<Integer, List<Path>>> byLayer = new TreeMap<>();
    for (Map.Entry<String, Path> t : targets.entrySet()) {
      Source source = sources.get(t.getKey());
      if (source == null) {
        throw new ApplianceException(
            image.image() + ": /" + t.getKey() + " is not a regular file in the image");
      }
      byLayer
          .computeIfAbsent(source.layer(), k -> new TreeMap<>())
          .computeIfAbsent(source.ordinal(), k -> new ArrayList<>())
          .add(t.getValue());
    }
    for (Map.Entry<Integer, TreeMap<Integer, List<Path>>> layer : byLayer.entrySet()) {
      TreeMap<Integer, List<Path>> wanted = layer.getValue();
      // Decompression stops after the last entry needed: kernels sort early in a layer.
      LayerReader.read(
          image,
          layer.getKey(),
          (entry, content) -> {
            List<Path> outs = wanted.get(entry.ordinal());
            if (outs == null) {
              return;
            }
            Path first = outs.get(0);
            Files.copy(content, first, StandardCopyOption.REPLACE_EXISTING);
            for (Path other : outs.subList(1, outs.size())) {
              Files.copy(first, other, StandardCopyOption.REPLACE_EXISTING);
            }
            if ((entry.mode() & 0111) != 0) {
              outs.forEach(p -> p.toFile().setExecutable(true, false));
            }
          },
          wanted.lastKey());
    }
  }
}
