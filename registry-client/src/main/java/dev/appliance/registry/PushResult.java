package dev.appliance.registry;

import dev.appliance.oci.Digest;

/**
 * What a push did.
 *
 * @param target the remote image, e.g. {@code registry.example/ops/lamp:1.0.0}
 * @param digest the manifest digest, equal in the store and in the registry
 * @param bytesSent blob bytes uploaded (manifest not counted)
 * @param blobsSent blobs uploaded
 * @param blobsSkipped blobs the registry already had
 */
public record PushResult(
    String target, Digest digest, long bytesSent, int blobsSent, int blobsSkipped) {}
