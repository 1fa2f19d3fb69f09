package dev.appliance.runtime.disk;

import java.io.IOException;
import java.io.InputStream;

/**
 * Receives the content-bearing effects of merging layers into an {@link ImageTree}: a staging
 * directory for disk assembly, or a record of where content lives for file extraction. Paths are
 * real paths inside the image (no symlinks on the way).
 */
interface TreeSink {
  void directory(String path) throws IOException;

  void regularFile(String path, LayerEntry entry, InputStream content) throws IOException;

  /** {@code path} becomes another name of the regular file {@code existing}. */
  void hardLink(String path, String existing) throws IOException;

  /** Removes {@code path} and everything beneath it. */
  void remove(String path) throws IOException;
}
