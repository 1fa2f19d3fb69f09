package dev.appliance.registry;

import com.google.cloud.tools.jib.api.DescriptorDigest;
import com.google.cloud.tools.jib.blob.Blob;
import com.google.cloud.tools.jib.blob.BlobDescriptor;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A blob from the local store, as Jib uploads it. Jib's own file blobs hash the
 * bytes again while sending them, 8 KiB at a time; a stored blob was verified
 * when it entered the store, and the registry checks the digest itself when the
 * upload is committed, so this one only copies, in large buffers.
 */
final class StoredBlob implements Blob {
    private static final int BUFFER = 1 << 16;

    private final Path file;
    private final DescriptorDigest digest;

    StoredBlob(Path file, DescriptorDigest digest) {
        this.file = file;
        this.digest = digest;
    }

    @Override
    public BlobDescriptor writeTo(OutputStream out) throws IOException {
        byte[] buffer = new byte[BUFFER];
        long size = 0;
        try (InputStream in = Files.newInputStream(file)) {
            int n;
            while ((n = in.read(buffer)) > 0) {
                out.write(buffer, 0, n);
                size += n;
            }
        }
        return new BlobDescriptor(size, digest);
    }

    @Override
    public boolean isRetryable() {
        return true;
    }
}
