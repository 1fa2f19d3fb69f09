package dev.appliance.oci;

/**
 * The OCI image layer whiteout names: {@code .wh.NAME} deletes NAME from the layers below, {@code
 * .wh..wh..opq} in a directory hides everything below it. Written by the builder, read by the
 * runtime and by diff.
 */
public final class Whiteouts {
  public static final String PREFIX = ".wh.";
  public static final String OPAQUE_MARKER = ".wh..wh..opq";

  private Whiteouts() {}
}
