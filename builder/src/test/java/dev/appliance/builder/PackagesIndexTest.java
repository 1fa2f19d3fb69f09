package dev.appliance.builder;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

class PackagesIndexTest {
  private static final String INDEX =
      """
      Package: hello
      Version: 2.10-3
      Description: example package based on GNU hello
       The GNU hello program produces a familiar, friendly greeting.
       Package: not-a-field (a description's continuation line)

      Package: mawk
      Version: 1.3.4.20250131-1
      Provides: awk, mawk-like (= 1.3)

      Package: hello
      Version: 2.10-5
      Depends: libc6 (>= 2.34)

      Package: unwanted
      Version: 1
      Provides: not-kept
      """;

  @Test
  void keepsEveryVersionOfEachWantedNameAndTheNamesPackagesProvide() throws IOException {
    Map<String, Set<String>> all = read(INDEX, name -> true);

    assertEquals(
        Map.of(
            "hello", Set.of("2.10-3", "2.10-5"),
            "mawk", Set.of("1.3.4.20250131-1"),
            "awk", Set.of(),
            "mawk-like", Set.of(),
            "unwanted", Set.of("1"),
            "not-kept", Set.of()),
        all);
  }

  @Test
  void keepsOnlyTheNamesItIsAskedFor() throws IOException {
    assertEquals(
        Map.of("hello", Set.of("2.10-3", "2.10-5"), "awk", Set.of()),
        read(INDEX, Set.of("hello", "awk", "absent")::contains));
  }

  /** Lines cut across reads, one longer than the first buffer, no newline at the end. */
  @Test
  void readsLinesCutAcrossReadsAndALastLineWithoutNewline() throws IOException {
    String longDescription = "x".repeat(200_000);
    String index =
        "Package: long\nDescription: "
            + longDescription
            + "\nVersion: 1\n\nPackage: last\nVersion: 2~rc1";
    InputStream trickle =
        new ByteArrayInputStream(index.getBytes(UTF_8)) {
          @Override
          public synchronized int read(byte[] b, int off, int len) {
            return super.read(b, off, Math.min(len, 7_001));
          }
        };
    Map<String, Set<String>> versions = new HashMap<>();

    PackagesIndex.read(trickle, name -> true, versions);

    assertEquals(Map.of("long", Set.of("1"), "last", Set.of("2~rc1")), versions);
  }

  private static Map<String, Set<String>> read(String index, Predicate<String> wanted)
      throws IOException {
    Map<String, Set<String>> versions = new HashMap<>();
    PackagesIndex.read(new ByteArrayInputStream(index.getBytes(UTF_8)), wanted, versions);
    return versions;
  }
}
