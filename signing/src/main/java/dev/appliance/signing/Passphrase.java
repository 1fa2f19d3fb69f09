package dev.appliance.signing;

import dev.appliance.common.InvalidInputException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/**
 * A private key's passphrase. It comes from a file, an environment variable or standard input,
 * never from a command line (argv is visible to every user), and is never printed: {@link
 * #toString()} hides it.
 */
public final class Passphrase {
  /** Like cosign's COSIGN_PASSWORD. */
  public static final String ENVIRONMENT_VARIABLE = "APPLIANCE_KEY_PASSWORD";

  private static final int MAX = 4096;

  private final byte[] utf8;

  private Passphrase(byte[] utf8) {
    this.utf8 = utf8;
  }

  public static Passphrase of(char[] chars) {
    var buffer = StandardCharsets.UTF_8.encode(java.nio.CharBuffer.wrap(chars));
    byte[] bytes = Arrays.copyOf(buffer.array(), buffer.limit());
    Arrays.fill(buffer.array(), (byte) 0);
    return new Passphrase(bytes);
  }

  /** The first line of {@code file}, as skopeo's --sign-passphrase-file reads it. */
  public static Passphrase fromFile(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      return firstLine(in, file.toString());
    } catch (IOException e) {
      throw new InvalidInputException(
          "cannot read passphrase file " + file + ": " + e.getMessage(), e);
    }
  }

  /** The first line of standard input (or any stream). */
  public static Passphrase firstLine(InputStream in, String where) throws IOException {
    ByteArrayOutputStream line = new ByteArrayOutputStream();
    for (int b = in.read(); b >= 0 && b != '\n'; b = in.read()) {
      if (line.size() >= MAX) {
        throw new InvalidInputException(
            where + ": the passphrase is longer than " + MAX + " bytes");
      }
      line.write(b);
    }
    byte[] bytes = line.toByteArray();
    int length =
        bytes.length > 0 && bytes[bytes.length - 1] == '\r' ? bytes.length - 1 : bytes.length;
    return new Passphrase(Arrays.copyOf(bytes, length));
  }

  /**
   * The passphrase from the first source given: {@code file} (if not null), else {@link
   * #ENVIRONMENT_VARIABLE} in {@code environment}, else the first line of {@code stdin}.
   */
  public static Passphrase resolve(Path file, Map<String, String> environment, InputStream stdin)
      throws IOException {
    if (file != null) {
      return fromFile(file);
    }
    String value = environment.get(ENVIRONMENT_VARIABLE);
    if (value != null) {
      return new Passphrase(value.getBytes(StandardCharsets.UTF_8));
    }
    return firstLine(stdin, "standard input");
  }

  /**
   * Whether {@link #resolve} would read standard input (so an interactive caller may prompt
   * instead).
   */
  public static boolean wouldReadStdin(Path file, Map<String, String> environment) {
    return file == null && !environment.containsKey(ENVIRONMENT_VARIABLE);
  }

  byte[] bytes() {
    return utf8.clone();
  }

  public boolean isEmpty() {
    return utf8.length == 0;
  }

  public boolean sameAs(Passphrase other) {
    return java.security.MessageDigest.isEqual(utf8, other.utf8);
  }

  @Override
  public String toString() {
    return "Passphrase[hidden]";
  }
}
