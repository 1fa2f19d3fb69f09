package dev.appliance.runtime.export;

import java.nio.file.Path;

/**
 * What to export and where.
 *
 * @param format      disk format
 * @param outputDir   directory for the disk and its descriptors; created when missing
 * @param libvirt     also write a libvirt domain XML next to the disk
 * @param kubevirtRef when not null, also build a KubeVirt containerDisk image with this reference
 *                    and write a VirtualMachine manifest
 */
public record ExportOptions(ExportFormat format, Path outputDir, boolean libvirt, String kubevirtRef) {}
