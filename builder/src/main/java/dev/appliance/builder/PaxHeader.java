package dev.appliance.builder;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Raw bytes of a PAX extended header. Commons Compress encodes PAX values as UTF-8 strings, which
 * corrupts binary xattr values (a file capability holds arbitrary bytes), so the layer writer
 * builds the header itself and lets Commons Compress write it as an ordinary 'x' entry.
 */
final class PaxHeader {
  private final ByteArrayOutputStream records = new ByteArrayOutputStream();

  void add(String key, String value) {
    add(key, value.getBytes(StandardCharsets.UTF_8));
  }

  /** Appends "LEN key=value\n", where LEN counts the whole record including itself. */
  void add(String key, byte[] value) {
    byte[] k = key.getBytes(StandardCharsets.UTF_8);
    int body = 1 + k.length + 1 + value.length + 1; // space, key, '=', value, '\n'
    int len = body + 1;
    while (Integer.toString(len).length() + body != len) {
      len = Integer.toString(len).length() + body;
    }
    records.writeBytes((len + " ").getBytes(StandardCharsets.US_ASCII));
    records.writeBytes(k);
    records.write('=');
    records.writeBytes(value);
    records.write('\n');
  }

  boolean isEmpty() {
    return records.size() == 0;
  }

  byte[] bytes() {
    return records.toByteArray();
  }
}
