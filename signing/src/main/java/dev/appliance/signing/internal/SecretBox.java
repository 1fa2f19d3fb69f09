package dev.appliance.signing.internal;

import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Optional;
import org.bouncycastle.crypto.engines.XSalsa20Engine;
import org.bouncycastle.crypto.macs.Poly1305;
import org.bouncycastle.crypto.params.KeyParameter;
import org.bouncycastle.crypto.params.ParametersWithIV;

/**
 * NaCl {@code crypto_secretbox} (XSalsa20-Poly1305), as golang.org/x/crypto/nacl/secretbox writes
 * it: the first 32 bytes of the XSalsa20 key stream are the one-time Poly1305 key, the rest
 * encrypts the message, and the box is {@code tag(16) || ciphertext}. Only composes Bouncy Castle's
 * primitives.
 */
public final class SecretBox {
  public static final int KEY_SIZE = 32;
  public static final int NONCE_SIZE = 24;
  private static final int TAG_SIZE = 16;
  private static final int POLY_KEY_SIZE = 32;

  private SecretBox() {}

  public static byte[] seal(byte[] key, byte[] nonce, byte[] message) {
    byte[] stream = xsalsa20(key, nonce, message);
    byte[] box = new byte[TAG_SIZE + message.length];
    System.arraycopy(stream, POLY_KEY_SIZE, box, TAG_SIZE, message.length);
    byte[] tag = poly1305(Arrays.copyOf(stream, POLY_KEY_SIZE), box, TAG_SIZE, message.length);
    System.arraycopy(tag, 0, box, 0, TAG_SIZE);
    return box;
  }

  /** The message, or empty when the box was not sealed with this key and nonce (or was altered). */
  public static Optional<byte[]> open(byte[] key, byte[] nonce, byte[] box) {
    if (box.length < TAG_SIZE) {
      return Optional.empty();
    }
    int length = box.length - TAG_SIZE;
    byte[] polyKey = xsalsa20(key, nonce, new byte[0]);
    byte[] expected = poly1305(Arrays.copyOf(polyKey, POLY_KEY_SIZE), box, TAG_SIZE, length);
    if (!MessageDigest.isEqual(expected, Arrays.copyOf(box, TAG_SIZE))) {
      return Optional.empty();
    }
    byte[] stream = xsalsa20(key, nonce, Arrays.copyOfRange(box, TAG_SIZE, box.length));
    return Optional.of(Arrays.copyOfRange(stream, POLY_KEY_SIZE, POLY_KEY_SIZE + length));
  }

  /** XSalsa20 over {@code 32 zero bytes || data}: the Poly1305 key, then {@code data} encrypted. */
  private static byte[] xsalsa20(byte[] key, byte[] nonce, byte[] data) {
    if (key.length != KEY_SIZE || nonce.length != NONCE_SIZE) {
      throw new IllegalArgumentException("secretbox needs a 32-byte key and a 24-byte nonce");
    }
    XSalsa20Engine engine = new XSalsa20Engine();
    engine.init(true, new ParametersWithIV(new KeyParameter(key), nonce));
    byte[] input = new byte[POLY_KEY_SIZE + data.length];
    System.arraycopy(data, 0, input, POLY_KEY_SIZE, data.length);
    byte[] output = new byte[input.length];
    engine.processBytes(input, 0, input.length, output, 0);
    return output;
  }

  private static byte[] poly1305(byte[] oneTimeKey, byte[] data, int offset, int length) {
    Poly1305 mac = new Poly1305();
    mac.init(new KeyParameter(oneTimeKey));
    mac.update(data, offset, length);
    byte[] tag = new byte[TAG_SIZE];
    mac.doFinal(tag, 0);
    return tag;
  }
}
