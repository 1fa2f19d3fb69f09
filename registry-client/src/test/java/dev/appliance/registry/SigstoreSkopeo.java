package dev.appliance.registry;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A skopeo that can sign and verify sigstore signatures, for the signing interop tests (issue 13);
 * {@link SigstoreRegistry} sets it up with a registry.
 *
 * <p>{@value #VARIABLE} names it (CI sets it to what {@code scripts/skopeo-sigstore} prints); when
 * set, a path that does not exist or a skopeo without sigstore fails the test. Unset, the skopeo on
 * the PATH is used when it has sigstore, and the test is skipped otherwise: Debian 12's skopeo
 * 1.9.3 carries a patch that refuses sigstore ("Debian-local change: sigstore disabled"), and a
 * refusal proves nothing about the formats.
 */
public record SigstoreSkopeo(Path executable, boolean required) {
  public static final String VARIABLE = "APPLIANCE_SIGSTORE_SKOPEO";

  /** The marker Debian's patch leaves in the binary and in its error messages. */
  static final String DISABLED = "sigstore disabled";

  /** What one skopeo command exited with and printed (stdout and stderr together). */
  public record Result(int exit, String output) {}

  /** Finds the skopeo to use, or fails or skips the calling test as the class comment says. */
  public static SigstoreSkopeo locate() throws IOException {
    String named = System.getenv(VARIABLE);
    if (named != null && !named.isBlank()) {
      Path path = Path.of(named);
      assertTrue(Files.isExecutable(path), VARIABLE + "=" + named + " is not an executable file");
      // A wrapper script (scripts/skopeo-sigstore) is checked by what skopeo says when it runs.
      return new SigstoreSkopeo(path, true);
    }
    Optional<Path> onPath =
        Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
            .filter(d -> !d.isEmpty())
            .map(d -> Path.of(d, "skopeo"))
            .filter(Files::isExecutable)
            .findFirst();
    assumeTrue(onPath.isPresent(), "no skopeo on the PATH and " + VARIABLE + " is not set");
    assumeTrue(
        !contains(onPath.get(), DISABLED),
        onPath.get()
            + " is built without sigstore; set "
            + VARIABLE
            + " to the path scripts/skopeo-sigstore prints");
    return new SigstoreSkopeo(onPath.get(), false);
  }

  /**
   * Runs skopeo with {@code args}. Output showing that this skopeo has no sigstore after all fails
   * the test when it was required, and skips it otherwise.
   */
  public Result run(String... args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(executable.toString()));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    p.getOutputStream().close();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int exit = p.waitFor();
    checkHasSigstore(output);
    return new Result(exit, output);
  }

  private void checkHasSigstore(String output) {
    if (required) {
      assertFalse(output.contains(DISABLED), executable + " has no sigstore: " + output.strip());
    } else {
      assumeTrue(!output.contains(DISABLED), "this skopeo has no sigstore: " + output.strip());
    }
  }

  private static boolean contains(Path file, String text) throws IOException {
    byte[] needle = text.getBytes(StandardCharsets.US_ASCII);
    byte[] buffer = new byte[1 << 20];
    int kept = 0;
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buffer, kept, buffer.length - kept)) > 0; ) {
        int end = kept + n;
        if (indexOf(buffer, end, needle) >= 0) {
          return true;
        }
        // Keep the tail, so a match across two reads is found.
        kept = Math.min(needle.length - 1, end);
        System.arraycopy(buffer, end - kept, buffer, 0, kept);
      }
    }
    return false;
  }

  private static int indexOf(byte[] data, int length, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (data[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
