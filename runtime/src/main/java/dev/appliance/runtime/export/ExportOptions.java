package dev.appliance.runtime.export;

import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.StateDirs;
import dev.appliance.runtime.host.RunRemedy;
import dev.appliance.runtime.instance.ImageLimits;
import java.nio.file.Path;
import java.util.Map;

/**
 * What to export and where.
 *
 * @param format disk format
 * @param outputDir directory for the disk and its descriptors; created when missing
 * @param libvirt also write a libvirt domain XML next to the disk
 * @param kubevirtRef when not null, also build a KubeVirt containerDisk image with this reference
 *     and write a VirtualMachine manifest
 * @param params first-boot parameters for a config disk written next to the disk
 * @param secrets first-boot secrets for that config disk
 * @param limits what the image may ask for (its disk size), checked before its disk is assembled
 * @param state the persistent state volume the disk's boot entry expects ({@link StateVolume#NONE}:
 *     none; a KubeVirt export then takes the image's state directories, see {@link
 *     #withImageState}), attached in the KubeVirt manifest as a blank DataVolume
 * @param persistentRoot KubeVirt: import the root disk into a DataVolume through CDI (registry
 *     source) instead of booting the ephemeral containerDisk
 * @param updates root slots A/B and a data partition for self-updates ({@link UpdateChannel#NONE}:
 *     the single-slot disk); not with a KubeVirt containerDisk, whose root is replaced by upgrades
 */
public record ExportOptions(
    ExportFormat format,
    Path outputDir,
    boolean libvirt,
    String kubevirtRef,
    Map<String, String> params,
    Map<String, byte[]> secrets,
    ImageLimits limits,
    StateVolume state,
    boolean persistentRoot,
    UpdateChannel updates) {
  public ExportOptions {
    params = Map.copyOf(params);
    secrets = Map.copyOf(secrets);
    if (params.containsKey(UpdateInterval.PARAM)) {
      UpdateInterval.parse(params.get(UpdateInterval.PARAM));
    }
    if (persistentRoot && kubevirtRef == null) {
      throw new InvalidInputException(
          "a persistent root disk is a KubeVirt output", RunRemedy.EXPORT_TO_KUBEVIRT);
    }
    if (updates.enabled() && kubevirtRef != null) {
      throw new InvalidInputException(
          "a KubeVirt containerDisk is upgraded by a new image digest, not by root slots: export"
              + " it without updates");
    }
  }

  /** Without a state volume, with the containerDisk as root, without updates (one root slot). */
  public ExportOptions(
      ExportFormat format,
      Path outputDir,
      boolean libvirt,
      String kubevirtRef,
      Map<String, String> params,
      Map<String, byte[]> secrets,
      ImageLimits limits) {
    this(
        format,
        outputDir,
        libvirt,
        kubevirtRef,
        params,
        secrets,
        limits,
        StateVolume.NONE,
        false,
        UpdateChannel.NONE);
  }

  /** With the default limits. */
  public ExportOptions(
      ExportFormat format,
      Path outputDir,
      boolean libvirt,
      String kubevirtRef,
      Map<String, String> params,
      Map<String, byte[]> secrets) {
    this(format, outputDir, libvirt, kubevirtRef, params, secrets, ImageLimits.DEFAULTS);
  }

  /** Without first-boot inputs: the appliance boots with its defaults. */
  public ExportOptions(ExportFormat format, Path outputDir, boolean libvirt, String kubevirtRef) {
    this(format, outputDir, libvirt, kubevirtRef, Map.of(), Map.of());
  }

  /**
   * A KubeVirt or self-updating export given no state directories keeps the image's own (its
   * recipe's {@code state-dirs}) on a state volume: a containerDisk alone loses them at every
   * restart, a root slot at every update (the updating disk's data partition is that volume).
   *
   * @param image names the image when its directories cannot go on a boot entry
   */
  ExportOptions withImageState(StateDirs imageDirs, String image) {
    if ((kubevirtRef == null && !updates.enabled())
        || state.present()
        || imageDirs.dirs().isEmpty()) {
      return this;
    }
    StateVolume fromImage;
    try {
      fromImage = new StateVolume(imageDirs.dirs(), state.bytes());
    } catch (InvalidInputException e) {
      throw new InvalidInputException(
          image + ": label " + StateDirs.LABEL + ": " + e.getMessage(), e);
    }
    return new ExportOptions(
        format,
        outputDir,
        libvirt,
        kubevirtRef,
        params,
        secrets,
        limits,
        fromImage,
        persistentRoot,
        updates);
  }

  boolean hasFirstBootInputs() {
    return !params.isEmpty() || !secrets.isEmpty();
  }
}
