/**
 * {@code appliance export}: self-contained UEFI disks (raw, qcow2, OVA) plus libvirt and KubeVirt
 * descriptions. Public API: {@link dev.appliance.runtime.export.Exporter}, {@link
 * dev.appliance.runtime.export.ExportOptions}, {@link dev.appliance.runtime.export.ExportFormat},
 * {@link dev.appliance.runtime.export.ExportResult}. See docs/export.md.
 */
package dev.appliance.runtime.export;
