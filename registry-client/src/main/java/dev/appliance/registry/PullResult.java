package dev.appliance.registry;

import dev.appliance.oci.Digest;

/**
 * What a pull did.
 *
 * @param source the remote image pulled
 * @param localName the tag it now has in the store
 * @param digest the manifest digest, equal in the registry and in the store
 * @param bytesReceived blob bytes downloaded (manifest not counted)
 * @param blobsReceived blobs downloaded
 * @param blobsSkipped blobs the store already had
 */
public record PullResult(
    String source,
    String localName,
    Digest digest,
    long bytesReceived,
    int blobsReceived,
    int blobsSkipped) {}
