package dev.appliance.store;

import dev.appliance.common.ApplianceException;
import dev.appliance.common.CountingOutputStream;
import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Digest;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;

/**
 * Streams one blob into the store. Bytes go to a temporary file beside the blobs while their
 * SHA-256 is computed; {@link #commit} flushes the file to disk and moves it into place atomically,
 * so a blob is either complete and verified or absent, also after a crash or power loss. Closing
 * without committing discards it.
 */
public final class BlobWriter extends CountingOutputStream {
  private final ImageStore store;
  private final Path temp;
  private final MessageDigest sha256;
  private final FileChannel channel;
  private final EarlyWriteback writeback;
  private boolean done;

  BlobWriter(ImageStore store, Path temp) throws IOException {
    this(
        store,
        temp,
        Digest.newSha256(),
        FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE));
  }

  private BlobWriter(ImageStore store, Path temp, MessageDigest sha256, FileChannel channel) {
    super(
        new DigestOutputStream(
            new BufferedOutputStream(Channels.newOutputStream(channel), 1 << 16), sha256));
    this.store = store;
    this.temp = temp;
    this.sha256 = sha256;
    this.channel = channel;
    this.writeback = new EarlyWriteback(channel);
  }

  @Override
  public void write(byte[] b, int off, int len) throws IOException {
    super.write(b, off, len);
    writeback.written(count());
  }

  /** Bytes written so far. */
  public long size() {
    return count();
  }

  /** Moves the blob into the store and describes it. */
  public Descriptor commit(String mediaType) throws IOException {
    return commit(mediaType, null);
  }

  /**
   * Like {@link #commit(String)}, but first checks the content against the digest the caller
   * expects (a registry's, a lock file's).
   *
   * @throws ApplianceException on a mismatch; nothing enters the store
   */
  public Descriptor commit(String mediaType, Digest expected) throws IOException {
    done = true;
    try {
      out.flush();
      writeback.finish();
      // On disk before the rename publishes it: after a crash the name holds all of it or nothing.
      channel.force(true);
    } finally {
      writeback.join();
      out.close();
    }
    Digest actual = Digest.fromSha256(sha256.digest());
    try {
      if (expected != null && !expected.equals(actual)) {
        throw new ApplianceException(
            "blob digest mismatch: expected "
                + expected
                + ", got "
                + actual
                + " ("
                + count()
                + " bytes): the content is corrupt or truncated");
      }
      // Replacing an existing blob is harmless (same verified bytes) and repairs a damaged one.
      Durable.publish(temp, store.blobPath(actual));
    } finally {
      Files.deleteIfExists(temp);
    }
    return new Descriptor(mediaType, actual, count());
  }

  /** Discards the blob unless committed. */
  @Override
  public void close() throws IOException {
    if (!done) {
      done = true;
      // Discarded: a failed flush of it changes nothing, but the channel must not close under one.
      writeback.join();
      try {
        out.close();
      } finally {
        Files.deleteIfExists(temp);
      }
    }
  }
}
