/**
 * Root disks and single files from image layers, without root privileges.
 *
 * <p>Public API: {@link dev.appliance.runtime.disk.ImageLayers} (an image's layer blobs and digest;
 * {@code ImageLayers.of(StoredImage)}), {@link dev.appliance.runtime.disk.DiskAssembler} (cached
 * ext4 root disk per image digest and size: {@code assemble}, {@code cachedPath}), {@link
 * dev.appliance.runtime.disk.ImageFiles} (kernel, initrd and the like: {@code extract}; a program
 * with its ELF loader and library closure: {@code extractProgram}; from the cached root disk when
 * there is one, else from the layers), {@link dev.appliance.runtime.disk.HostTool} (the runtime's
 * one runner of host programs: captured output, optionally merged, optional time limit). Everything
 * returned from a cache is shared: treat it as read-only.
 *
 * <p>How a disk is made: the layers are merged into a metadata tree ({@code ImageTree}: OCI
 * whiteouts, opaque directories, symlinks resolved inside the image root, escaping members refused)
 * while regular files and hard links go to a staging directory with the user's own permissions;
 * {@code mke2fs -d} copies that, and one {@code debugfs -w -f} batch sets the true owners, modes,
 * symlinks, device nodes, FIFOs and xattrs from the tar headers.
 *
 * <p>Layers are untrusted: {@code EntryChecks} vets every name, link target, xattr and ELF library
 * name where it is read, {@code LayerLimits} bounds staged bytes, entries and tar headers, and
 * {@code DebugfsScript} refuses a line debugfs would not read as one; see docs/security.md.
 */
package dev.appliance.runtime.disk;
