package dev.appliance.e2e.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * The real curl, as an operator points it at an appliance: TLS verification is curl's own, so a
 * test that passes {@code --cacert} proves what a user's client would accept.
 */
public final class Curl {
  private final Path work;
  private int calls;

  /** Curl keeping its output files (headers, body, cookies) under {@code work}. */
  public Curl(Path work) {
    this.work = work;
  }

  /**
   * What one curl call saw.
   *
   * @param exitCode curl's exit code (60: the certificate did not verify)
   * @param status the last HTTP status, 0 without a response
   * @param headers the last response's header block
   * @param body the last response's body
   * @param stderr curl's messages
   */
  public record Response(int exitCode, int status, String headers, String body, String stderr) {
    /** The value of the last response's header {@code name}, if present. */
    public Optional<String> header(String name) {
      String prefix = name.toLowerCase(Locale.ROOT) + ":";
      return headers
          .lines()
          .filter(l -> l.toLowerCase(Locale.ROOT).startsWith(prefix))
          .map(l -> l.substring(prefix.length()).strip())
          .reduce((first, last) -> last);
    }

    @Override
    public String toString() {
      return "curl exit " + exitCode + ", HTTP " + status + "\n" + stderr + headers + body;
    }
  }

  /** Runs {@code curl -sS ARGS...} (at most 60 s) and returns the last response. */
  public Response run(String... args) {
    try {
      Path dir = Files.createDirectories(work.resolve("curl-" + ++calls));
      Path headers = dir.resolve("headers");
      Path body = dir.resolve("body");
      List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "60"));
      command.addAll(List.of("-D", headers.toString(), "-o", body.toString()));
      command.addAll(List.of("-w", "%{http_code}"));
      command.addAll(List.of(args));
      Process process =
          new ProcessBuilder(command)
              .redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()))
              .redirectError(dir.resolve("stderr").toFile())
              .start();
      String status = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!process.waitFor(90, TimeUnit.SECONDS)) {
        process.destroyForcibly();
        throw new AssertionError("curl did not end: " + command);
      }
      return new Response(
          process.exitValue(),
          status.strip().matches("\\d{3}") ? Integer.parseInt(status.strip()) : 0,
          lastHeaderBlock(read(headers)),
          read(body),
          read(dir.resolve("stderr")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError("interrupted", e);
    }
  }

  /** With -L, curl writes one header block per response; the last one is the answer's. */
  private static String lastHeaderBlock(String headers) {
    int last = headers.lastIndexOf("\nHTTP/");
    return last < 0 ? headers : headers.substring(last + 1);
  }

  private static String read(Path file) throws IOException {
    return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : "";
  }
}
