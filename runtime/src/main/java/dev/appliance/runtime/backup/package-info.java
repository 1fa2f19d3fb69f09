/**
 * Volume backups through a registry: a volume cut into compressed chunks, pushed as an OCI 1.1
 * artifact (only the chunks that changed since the volume's last backup), and restored into a new
 * or empty volume after every chunk is checked against its digest.
 *
 * <p>Public API: {@link dev.appliance.runtime.backup.VolumeBackup} and {@link
 * dev.appliance.runtime.backup.VolumeRestore}. The artifact's format ({@code BackupFormat}, {@code
 * BackupManifest}, {@code BackupConfig}) and the chunking are package-private.
 */
package dev.appliance.runtime.backup;
