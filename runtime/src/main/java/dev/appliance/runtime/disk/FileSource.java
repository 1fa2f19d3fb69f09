package dev.appliance.runtime.disk;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** Where {@link ImageFiles} reads an image's files from: its layers, or its assembled root disk. */
interface FileSource {
  /**
   * @param path a path inside the image, symlinks on the way and at the end followed inside the
   *     image root
   * @return a key naming the regular file found there, for {@link #copy}; null when there is none
   */
  String regularFile(String path);

  /** Copies the files named by keys from {@link #regularFile} to host paths (parents exist). */
  void copy(Map<String, Path> targets) throws IOException;
}
