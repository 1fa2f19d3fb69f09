package dev.appliance.builder;

/**
 * How to build.
 *
 * @param mirror Debian mirror URI overriding the recipe's and the host's; null for none
 * @param tag image tag; null for NAME:VERSION from the recipe
 * @param useLayerCache reuse layers whose inputs did not change
 * @param useLockFile honour RECIPE.lock when it exists
 * @param compressionLevel gzip level of the layers, 1 to 9
 * @param store whether to write the image into the store (false for 'appliance lock')
 */
public record BuildOptions(
    String mirror,
    String tag,
    boolean useLayerCache,
    boolean useLockFile,
    int compressionLevel,
    boolean store) {

  public static BuildOptions defaults() {
    return new BuildOptions(null, null, true, true, 1, true);
  }

  public BuildOptions withMirror(String value) {
    return new BuildOptions(value, tag, useLayerCache, useLockFile, compressionLevel, store);
  }

  public BuildOptions withTag(String value) {
    return new BuildOptions(mirror, value, useLayerCache, useLockFile, compressionLevel, store);
  }

  public BuildOptions withLayerCache(boolean value) {
    return new BuildOptions(mirror, tag, value, useLockFile, compressionLevel, store);
  }

  public BuildOptions withLockFile(boolean value) {
    return new BuildOptions(mirror, tag, useLayerCache, value, compressionLevel, store);
  }

  public BuildOptions withCompressionLevel(int value) {
    return new BuildOptions(mirror, tag, useLayerCache, useLockFile, value, store);
  }

  public BuildOptions withStore(boolean value) {
    return new BuildOptions(mirror, tag, useLayerCache, useLockFile, compressionLevel, value);
  }
}
