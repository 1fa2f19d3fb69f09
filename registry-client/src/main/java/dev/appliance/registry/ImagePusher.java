package dev.appliance.registry;

import com.google.cloud.tools.jib.api.Credential;
import com.google.cloud.tools.jib.api.DescriptorDigest;
import com.google.cloud.tools.jib.api.RegistryException;
import com.google.cloud.tools.jib.event.EventHandlers;
import com.google.cloud.tools.jib.http.FailoverHttpClient;
import com.google.cloud.tools.jib.registry.ManifestAndDigest;
import com.google.cloud.tools.jib.registry.RegistryClient;
import dev.appliance.common.ApplianceException;
import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageReference;
import dev.appliance.oci.Manifest;
import dev.appliance.store.ImageStore;
import dev.appliance.store.StoredImage;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Pushes an image from the local store to a registry with Jib's RegistryClient:
 * each blob the registry lacks is uploaded as stored (exact bytes), then the
 * manifest as stored, so the registry's digests equal the local ones.
 */
public final class ImagePusher {
    private final ImageStore store;
    private final RegistryOptions options;
    private final TransferListener listener;

    public ImagePusher(ImageStore store, RegistryOptions options, TransferListener listener) {
        this.store = store;
        this.options = options;
        this.listener = listener;
    }

    /**
     * Pushes {@code local} (a tag or digest in the store) to {@code remote}; with
     * {@code remote} null, {@code local} itself must name the registry.
     */
    public PushResult push(String local, String remote) {
        StoredImage image = store.get(local);
        ImageReference target = RemoteReferences.parse(remote == null ? local : remote, remote == null ? "image" : "destination");
        Manifest manifest = image.manifest();
        if (target.digest() != null && !target.digest().equals(manifest.digest())) {
            throw new InvalidInputException("destination " + target + " pins digest " + target.digest()
                    + " but " + local + " is " + manifest.digest());
        }
        RegistrySession session = RegistrySession.open(target, options, listener);
        Retry retry = session.retry();
        FailoverHttpClient http = JibHttp.client(session.endpoint());
        try {
            RegistryClient client = authenticate(session, http);
            KnownBlobs known = new KnownBlobs(store);
            AtomicLong bytesSent = new AtomicLong();
            AtomicInteger sent = new AtomicInteger();
            AtomicInteger skipped = new AtomicInteger();
            List<Descriptor> blobs = RemoteReferences.blobsOf(manifest);
            Parallel.forEach(blobs, blob -> {
                String source = known.repositoriesOn(target.registry(), blob.digest()).stream()
                        .filter(repository -> !repository.equals(target.repository())).reduce((a, b) -> b).orElse(null);
                boolean existed = pushBlob(client, blob, source, bytesSent, retry);
                (existed ? skipped : sent).incrementAndGet();
                known.remember(target.registry(), target.repository(), blob.digest());
            });
            listener.stage("uploading manifest " + manifest.digest());
            retry.run("uploading the manifest of " + target,
                    () -> client.pushManifest(new RawManifestTemplate(manifest), target.tagOrDigest()));
            verifyRemoteDigest(client, target, manifest.digest(), retry);
            return new PushResult(target.toString(), manifest.digest(), bytesSent.get(), sent.get(), skipped.get());
        } finally {
            shutDown(http);
        }
    }

    private static RegistryClient authenticate(RegistrySession session, FailoverHttpClient http) {
        RegistryClient.Factory factory = RegistryClient.factory(EventHandlers.NONE, session.endpoint().host(),
                session.image().repository(), http).setUserAgent("appliance");
        Optional<Credential> credential = session.credential();
        credential.ifPresent(factory::setCredential);
        RegistryClient client = factory.newRegistryClient();
        session.retry().run("authenticating to " + session.image().registry(), () -> {
            // Bearer-token registries answer with a token realm; the others take basic auth (or none).
            if (!client.doPushBearerAuth() && credential.isPresent()) {
                client.configureBasicAuth();
            }
            return null;
        });
        return client;
    }

    /**
     * Uploads one blob unless the repository has it or the registry can mount it
     * from {@code source} (another repository known to hold it, or null); true when
     * no bytes were sent.
     */
    private boolean pushBlob(RegistryClient client, Descriptor blob, String source, AtomicLong bytesSent, Retry retry) {
        DescriptorDigest digest = jibDigest(blob.digest());
        listener.blobStarted(blob);
        boolean existed = retry.run("uploading blob " + blob.digest().shortHex(), () -> {
            if (registryHas(client, digest)) {
                return true;
            }
            AtomicLong attempt = new AtomicLong();
            // pushBlob answers true when the registry mounted the blob from source.
            return client.pushBlob(digest, new StoredBlob(store.blobPath(blob.digest()), digest), source, written -> {
                if (Thread.currentThread().isInterrupted()) {
                    // Another blob failed: stop this upload too (Jib reports progress per buffer).
                    throw new UncheckedIOException(new InterruptedIOException("upload of " + blob.digest() + " cancelled"));
                }
                bytesSent.addAndGet(written);
                listener.blobProgress(blob, attempt.addAndGet(written));
            });
        });
        listener.blobFinished(blob, existed);
        return existed;
    }

    /**
     * Whether the repository has the blob. A server error here counts as "not
     * known", and the blob is uploaded: uploading is always safe, and it repairs
     * what such errors usually mean. docker-registry writes a repository's record
     * of a blob (its link file) by truncating and then writing it, so a registry
     * killed in between answers every later check of that blob with HTTP 500
     * ("invalid checksum digest format") until the blob is uploaded again.
     */
    private static boolean registryHas(RegistryClient client, DescriptorDigest digest) throws Exception {
        try {
            return client.checkBlob(digest).isPresent();
        } catch (IOException | RegistryException e) {
            if (Retry.isTransient(e)) {
                return false;
            }
            throw e;
        }
    }

    /** Reads the manifest back: the registry must serve the very bytes we have. */
    private void verifyRemoteDigest(RegistryClient client, ImageReference target, Digest local, Retry retry) {
        Optional<ManifestAndDigest<com.google.cloud.tools.jib.image.json.ManifestTemplate>> remote =
                retry.run("checking the manifest of " + target, () -> client.checkManifest(target.tagOrDigest()));
        String remoteDigest = remote.map(m -> m.getDigest().toString()).orElse("nothing");
        if (!remoteDigest.equals(local.toString())) {
            throw new ApplianceException("after the push, " + target + " is " + remoteDigest + ", not " + local
                    + ": the registry changed the manifest");
        }
    }

    private static DescriptorDigest jibDigest(Digest digest) {
        try {
            return DescriptorDigest.fromDigest(digest.toString());
        } catch (java.security.DigestException e) {
            throw new IllegalStateException("a valid digest was refused by Jib: " + digest, e);
        }
    }

    private static void shutDown(FailoverHttpClient http) {
        try {
            http.shutDown();
        } catch (IOException e) {
            // Closing idle connections failed; the transfer itself is complete.
        }
    }
}
