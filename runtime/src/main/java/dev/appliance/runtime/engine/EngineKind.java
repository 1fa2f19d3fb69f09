package dev.appliance.runtime.engine;

import dev.appliance.common.InvalidInputException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The ways an appliance can run, fastest first. */
public enum EngineKind {
  /** QEMU with hardware virtualization. */
  KVM("kvm", DiskFormat.QCOW2),
  /** User-Mode Linux, the image's own kernel, seccomp mode. */
  UML("uml", DiskFormat.UML_COW),
  /** QEMU software emulation: works everywhere, slowly. */
  TCG("tcg", DiskFormat.QCOW2);

  /** How an engine keeps an instance's writes on top of the shared base disk. */
  public enum DiskFormat {
    QCOW2("disk.qcow2"),
    UML_COW("disk.cow");

    private final String fileName;

    DiskFormat(String fileName) {
      this.fileName = fileName;
    }

    /** The overlay's file name in the instance directory. */
    public String fileName() {
      return fileName;
    }
  }

  private final String id;
  private final DiskFormat diskFormat;

  EngineKind(String id, DiskFormat diskFormat) {
    this.id = id;
    this.diskFormat = diskFormat;
  }

  public String id() {
    return id;
  }

  public DiskFormat diskFormat() {
    return diskFormat;
  }

  /** Parses {@code kvm}, {@code uml} or {@code tcg}. */
  public static EngineKind parse(String value) {
    for (EngineKind kind : values()) {
      if (kind.id.equals(value.toLowerCase(Locale.ROOT))) {
        return kind;
      }
    }
    throw new InvalidInputException(
        "unknown engine '"
            + value
            + "': expected auto, "
            + Arrays.stream(values()).map(EngineKind::id).collect(Collectors.joining(", ")));
  }

  @Override
  public String toString() {
    return id;
  }
}
