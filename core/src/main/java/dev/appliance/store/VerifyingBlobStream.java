package dev.appliance.store;

import dev.appliance.common.ApplianceException;
import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Digest;
import java.io.FilterInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;

/**
 * Reads a stored blob while checking it against its descriptor: a byte beyond the declared size
 * fails at once, and at the end of the stream the size and SHA-256 must match. {@link #close()}
 * reads whatever the caller left unread, so a reader that stops early (a tar reader stops at the
 * end-of-archive blocks) still gets the whole blob checked. On a mismatch the blob file is set
 * aside (see {@link ImageStore#setAside}), so the next pull fetches it again, and a {@link
 * DamagedBlobException} names it.
 */
public final class VerifyingBlobStream extends FilterInputStream {
  private final Path file;
  private final Descriptor expected;
  private final String what;
  private final MessageDigest sha256 = Digest.newSha256();
  private long count;
  private boolean ended;

  private VerifyingBlobStream(Path file, Descriptor expected, String what) throws IOException {
    super(Files.newInputStream(file));
    this.file = file;
    this.expected = expected;
    this.what = what;
  }

  /**
   * Opens the blob {@code file} of a store (a path {@link ImageStore#blobPath} or {@link
   * StoredImage#layerFiles} gave), expected to match {@code expected}; {@code what} names it in
   * errors (e.g. {@code "lamp:1.0.0 layer 2"}).
   *
   * @throws DamagedBlobException when the file is missing
   */
  public static VerifyingBlobStream open(Path file, Descriptor expected, String what) {
    try {
      return new VerifyingBlobStream(file, expected, what);
    } catch (NoSuchFileException e) {
      throw new DamagedBlobException(what, expected.digest(), "missing");
    } catch (IOException e) {
      throw new ApplianceException(
          what + ": cannot read blob " + expected.digest() + ": " + e.getMessage(), e);
    }
  }

  @Override
  public int read() throws IOException {
    byte[] one = new byte[1];
    int n = read(one, 0, 1);
    return n < 0 ? -1 : one[0] & 0xff;
  }

  @Override
  public int read(byte[] b, int off, int len) throws IOException {
    if (ended) {
      return -1;
    }
    int n = in.read(b, off, len);
    if (n < 0) {
      ended = true;
      check();
      return -1;
    }
    count += n;
    sha256.update(b, off, n);
    if (count > expected.size()) {
      ended = true;
      throw damaged("larger than the " + expected.size() + " bytes its descriptor says");
    }
    return n;
  }

  /** Skipped bytes are read, so that they are hashed too. */
  @Override
  public long skip(long n) throws IOException {
    byte[] buffer = new byte[(int) Math.min(n, 1 << 16)];
    long skipped = 0;
    while (skipped < n) {
      int r = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
      if (r < 0) {
        break;
      }
      skipped += r;
    }
    return skipped;
  }

  @Override
  public boolean markSupported() {
    return false;
  }

  @Override
  public synchronized void mark(int readlimit) {
    // Not supported: a reset would hash bytes twice.
  }

  @Override
  public synchronized void reset() throws IOException {
    throw new IOException("mark/reset not supported");
  }

  /** Reads the rest (checking it), then closes. */
  @Override
  public void close() throws IOException {
    try {
      byte[] buffer = new byte[1 << 16];
      while (!ended) {
        read(buffer, 0, buffer.length);
      }
    } finally {
      in.close();
    }
  }

  private void check() {
    if (count != expected.size()) {
      throw damaged(count + " bytes instead of " + expected.size());
    }
    Digest actual = Digest.fromSha256(sha256.digest());
    if (!actual.equals(expected.digest())) {
      throw damaged("its content has digest " + actual);
    }
  }

  private DamagedBlobException damaged(String problem) {
    ImageStore.setAside(file);
    return new DamagedBlobException(what, expected.digest(), problem);
  }
}
