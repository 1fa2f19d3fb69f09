package dev.appliance.signing.internal;

import dev.appliance.common.InvalidInputException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** One PEM block: its type and the bytes it wraps. */
public record Pem(String type, byte[] content) {
  private static final Pattern BLOCK =
      Pattern.compile(
          "-----BEGIN ([A-Z0-9 ]{1,64})-----\\r?\\n(.*?)-----END \\1-----", Pattern.DOTALL);

  /** Keys are small; a larger file is not a key. */
  private static final int MAX_FILE = 64 * 1024;

  public Pem {
    content = content.clone();
  }

  @Override
  public byte[] content() {
    return content.clone();
  }

  /** The first PEM block of {@code text}; {@code where} names the file in errors. */
  public static Pem parse(byte[] text, String where) {
    if (text.length > MAX_FILE) {
      throw new InvalidInputException(
          where + ": " + text.length + " bytes is too large for a PEM key file");
    }
    Matcher m = BLOCK.matcher(new String(text, StandardCharsets.US_ASCII));
    if (!m.find()) {
      throw new InvalidInputException(where + ": no PEM block (-----BEGIN ...-----) found");
    }
    try {
      return new Pem(m.group(1), Base64.getMimeDecoder().decode(m.group(2)));
    } catch (IllegalArgumentException e) {
      throw new InvalidInputException(
          where + ": the " + m.group(1) + " PEM block is not valid base64", e);
    }
  }

  public byte[] encode() {
    String body = Base64.getMimeEncoder(64, new byte[] {'\n'}).encodeToString(content);
    return ("-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n")
        .getBytes(StandardCharsets.US_ASCII);
  }
}
