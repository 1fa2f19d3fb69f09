package dev.appliance.runtime.disk;

import java.util.ArrayList;
import java.util.List;

/**
 * Normalises archive member names to paths relative to the image root ("a/b/c", "" for the root
 * itself) and refuses the ones that could escape it.
 */
final class EntryPath {
  private EntryPath() {}

  /**
   * @return the normalised path
   * @throws IllegalArgumentException naming why the name is refused
   */
  static String normalise(String name) {
    if (name.startsWith("/")) {
      throw new IllegalArgumentException("absolute path");
    }
    if (name.indexOf('\n') >= 0 || name.indexOf('\0') >= 0) {
      throw new IllegalArgumentException("newline or NUL in the name");
    }
    List<String> parts = new ArrayList<>();
    for (String part : name.split("/")) {
      if (part.isEmpty() || part.equals(".")) {
        continue;
      }
      if (part.equals("..")) {
        throw new IllegalArgumentException("'..' in the path");
      }
      parts.add(part);
    }
    return String.join("/", parts);
  }

  static String parent(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? "" : path.substring(0, slash);
  }

  static String name(String path) {
    return path.substring(path.lastIndexOf('/') + 1);
  }

  static String child(String parent, String name) {
    return parent.isEmpty() ? name : parent + "/" + name;
  }
}
