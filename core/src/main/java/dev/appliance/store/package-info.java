/**
 * The local image store: an OCI image layout directory under the data directory.
 *
 * <p>Public API: {@link dev.appliance.store.ImageStore} (tags, manifests, blobs; the entry point),
 * {@link dev.appliance.store.StoredImage} (one image in it), {@link dev.appliance.store.BlobWriter}
 * (streams one blob in, verified before it becomes visible), {@link
 * dev.appliance.store.VerifyingBlobStream} and {@link dev.appliance.store.DamagedBlobException}
 * (reading a blob against its descriptor), {@link dev.appliance.store.StoreVerifier} ({@code
 * appliance store verify}).
 */
package dev.appliance.store;
