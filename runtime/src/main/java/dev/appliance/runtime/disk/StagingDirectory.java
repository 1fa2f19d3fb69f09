package dev.appliance.runtime.disk;

import dev.appliance.common.FileNames;
import dev.appliance.common.FileTrees;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.NavigableMap;

/**
 * The merged tree's directories and regular files (with hard links) as a host directory that {@code
 * mke2fs -d} copies. It holds no symlinks or device nodes (debugfs adds those inside the image), so
 * nothing written here can be redirected outside it, and files get the user's own permissions,
 * never the image's: a mode-000 file stays readable by mke2fs when we are not root.
 */
final class StagingDirectory implements TreeSink {
  private final Path root;

  StagingDirectory(Path root) {
    this.root = root;
  }

  Path root() {
    return root;
  }

  @Override
  public void directory(String path) throws IOException {
    Files.createDirectory(host(path));
  }

  @Override
  public void regularFile(String path, LayerEntry entry, InputStream content) throws IOException {
    Files.copy(content, host(path));
  }

  @Override
  public void hardLink(String path, String existing) throws IOException {
    Files.createLink(host(path), host(existing));
  }

  @Override
  public void remove(String path) throws IOException {
    FileTrees.deleteRecursively(host(path));
  }

  /**
   * Gives files and directories their image mtimes (directories last: adding entries changes them).
   */
  void applyModificationTimes(NavigableMap<String, Node> nodes) throws IOException {
    for (Map.Entry<String, Node> e : nodes.entrySet()) {
      if (e.getValue().type() == EntryType.REGULAR) {
        setMtime(e.getKey(), e.getValue());
      }
    }
    for (Map.Entry<String, Node> e : nodes.descendingMap().entrySet()) {
      if (e.getValue().type() == EntryType.DIRECTORY) {
        setMtime(e.getKey(), e.getValue());
      }
    }
  }

  private void setMtime(String path, Node node) throws IOException {
    Files.setLastModifiedTime(
        host(path), FileTime.from(node.mtime(), java.util.concurrent.TimeUnit.SECONDS));
  }

  private Path host(String path) {
    // The image's names as bytes, whatever the JVM's locale.
    return FileNames.resolve(root, path);
  }
}
