package dev.appliance.runtime.instance;

import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.MetadataRules;
import dev.appliance.runtime.capture.CaptureSource;
import dev.appliance.runtime.net.PortMapping;
import java.util.List;
import java.util.Map;

/**
 * What {@code appliance run} asks for, as values already parsed. Null means "the image's default".
 * Out-of-range values are refused here as {@link Rejected}, which names the field, so a caller can
 * point at its own spelling of it (the CLI names the option).
 *
 * @param ports ports to publish
 * @param memoryMiB guest memory in MiB
 * @param engine auto, kvm, uml or tcg
 * @param params first-boot parameters
 * @param secrets secret parameters, already read from their files or stdin
 * @param volumes named volumes and where the guest mounts them
 * @param isolation how far the instance is kept from the host
 * @param captureFrom what feeds the image's capture interface, or null
 */
public record RunRequest(
    String image,
    String name,
    List<PortMapping> ports,
    Long memoryMiB,
    Integer cpus,
    String engine,
    Map<String, String> params,
    Map<String, byte[]> secrets,
    List<VolumeMount> volumes,
    Isolation isolation,
    CaptureSource captureFrom) {

  /** A request that feeds no capture interface. */
  public RunRequest(
      String image,
      String name,
      List<PortMapping> ports,
      Long memoryMiB,
      Integer cpus,
      String engine,
      Map<String, String> params,
      Map<String, byte[]> secrets,
      List<VolumeMount> volumes,
      Isolation isolation) {
    this(image, name, ports, memoryMiB, cpus, engine, params, secrets, volumes, isolation, null);
  }

  /** The fields a {@link Rejected} can name. */
  public enum Field {
    MEMORY,
    CPUS
  }

  public RunRequest {
    ports = List.copyOf(ports);
    params = Map.copyOf(params);
    secrets = Map.copyOf(secrets);
    volumes = List.copyOf(volumes);
    if (memoryMiB != null) {
      long min = MetadataRules.MEMORY_BYTES.min() >> 20;
      long max = MetadataRules.MEMORY_BYTES.max() >> 20;
      if (memoryMiB < min || memoryMiB > max) {
        throw new Rejected(
            Field.MEMORY,
            "memory "
                + memoryMiB
                + " MiB is "
                + (memoryMiB < min
                    ? "less than the "
                        + MetadataRules.human(MetadataRules.MEMORY_BYTES.min())
                        + " an appliance needs"
                    : "more than " + MetadataRules.human(MetadataRules.MEMORY_BYTES.max())));
      }
    }
    if (cpus != null && !MetadataRules.CPUS.contains(cpus)) {
      throw new Rejected(
          Field.CPUS,
          "cpus "
              + cpus
              + ": must be from "
              + MetadataRules.CPUS.min()
              + " to "
              + MetadataRules.CPUS.max());
    }
  }

  /** A value of the request out of its range. */
  public static final class Rejected extends InvalidInputException {
    private final Field field;

    Rejected(Field field, String message) {
      super(message);
      this.field = field;
    }

    public Field field() {
      return field;
    }
  }

  /**
   * @param noSandbox run engines unconfined even when the image came from a registry
   * @param allowHostLoopback let the guest reach the host's 127.0.0.1 through its gateway 10.0.2.2
   */
  public record Isolation(boolean noSandbox, boolean allowHostLoopback) {
    /** The default: engines sandboxed, guests kept off the host's loopback. */
    public static final Isolation DEFAULT = new Isolation(false, false);
  }
}
