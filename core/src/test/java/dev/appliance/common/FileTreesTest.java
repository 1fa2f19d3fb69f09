package dev.appliance.common;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileTreesTest {
  @TempDir Path tmp;

  @Test
  void deletesATreeWithReadOnlyDirectoriesAndNeverFollowsItsLinks() throws Exception {
    Path outside =
        Files.writeString(Files.createDirectory(tmp.resolve("outside")).resolve("keep"), "kept");
    Path tree = Files.createDirectories(tmp.resolve("tree/a/b"));
    Files.writeString(tree.resolve("file"), "x");
    Files.createSymbolicLink(tmp.resolve("tree/a/link-to-outside"), outside.getParent());
    Files.createSymbolicLink(tmp.resolve("tree/file-link"), outside);
    tree.toFile().setWritable(false, false);

    FileTrees.deleteRecursively(tmp.resolve("tree"));

    assertFalse(Files.exists(tmp.resolve("tree")));
    assertEquals(
        "kept", Files.readString(outside), "a link in the tree is deleted, not what it points to");
  }

  @Test
  void aMissingTreeIsNothingToDo() {
    assertDoesNotThrow(() -> FileTrees.delete(tmp.resolve("missing")));
    assertDoesNotThrow(() -> FileTrees.deleteQuietly(null));
  }
}
