package dev.appliance.builder;

import dev.appliance.oci.ApplianceMetadata;
import dev.appliance.recipe.Recipe;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * What the finished root file system holds that the image's metadata needs: its installed packages
 * and its kernels. Read from a read-only overlay of all layer directories (or the base directory
 * alone).
 */
record FinalView(List<DpkgStatus.Installed> packages, ApplianceMetadata.Kernels kernels) {

  static FinalView read(List<Path> trees, Path mountPoint, Recipe recipe) {
    if (trees.size() == 1) {
      return of(trees.get(0), recipe);
    }
    List<Path> lowers = new ArrayList<>(trees);
    Collections.reverse(lowers);
    Mounts.mount(
        "-t",
        "overlay",
        "overlay",
        "-o",
        "ro,lowerdir=" + String.join(":", lowers.stream().map(Path::toString).toList()),
        mountPoint.toString());
    try {
      return of(mountPoint, recipe);
    } finally {
      Mounts.unmountAllUnder(mountPoint);
    }
  }

  private static FinalView of(Path root, Recipe recipe) {
    return new FinalView(DpkgStatus.read(root), KernelFiles.find(root, recipe.kernels()));
  }
}
