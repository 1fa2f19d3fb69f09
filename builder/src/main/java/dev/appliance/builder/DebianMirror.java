package dev.appliance.builder;

import dev.appliance.common.ApplianceException;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;

/**
 * What the builder asks a Debian mirror directly (apt and mmdebstrap do the rest): a suite's
 * Release date, for SOURCE_DATE_EPOCH and the lock file, and the package index, to name close
 * matches of a package that does not exist and to check pinned versions. http(s):// and file://
 * mirrors.
 */
final class DebianMirror {
  private static final DateTimeFormatter RELEASE_DATE =
      DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss z", Locale.ROOT);

  private final String uri;
  private final HttpClient http =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(20))
          .followRedirects(HttpClient.Redirect.NORMAL)
          .build();

  DebianMirror(String uri) {
    this.uri = uri.replaceAll("/+$", "");
  }

  String uri() {
    return uri;
  }

  /** The Date field of {@code dists/SUITE/InRelease}. */
  Instant releaseDate(String suite) {
    try (InputStream in = open("dists/" + suite + "/InRelease")) {
      BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
      String line;
      while ((line = reader.readLine()) != null) {
        if (line.startsWith("Date:")) {
          return ZonedDateTime.parse(line.substring(5).trim(), RELEASE_DATE).toInstant();
        }
      }
      throw new ApplianceException(uri + ": dists/" + suite + "/InRelease has no Date field");
    } catch (IOException e) {
      throw new ApplianceException(
          "cannot read suite " + suite + " from the mirror " + uri + ": " + e.getMessage(), e);
    }
  }

  /** Every package of the suite's components (amd64 and all) with its available versions. */
  Map<String, Set<String>> packageVersions(String suite, List<String> components) {
    return packageVersions(suite, components, name -> true);
  }

  /**
   * The versions of the packages of the suite's components (amd64 and all) whose names {@code
   * wanted} accepts.
   */
  Map<String, Set<String>> packageVersions(
      String suite, List<String> components, Predicate<String> wanted) {
    Map<String, Set<String>> versions = new HashMap<>();
    for (String component : components) {
      String path = "dists/" + suite + "/" + component + "/binary-amd64/Packages.gz";
      try (InputStream in = new GZIPInputStream(open(path), 1 << 16)) {
        PackagesIndex.read(in, wanted, versions);
      } catch (IOException e) {
        throw new ApplianceException(
            "cannot read " + path + " from the mirror " + uri + ": " + e.getMessage(), e);
      }
    }
    return versions;
  }

  private InputStream open(String path) throws IOException {
    if (uri.startsWith("file:")) {
      return Files.newInputStream(Path.of(URI.create(uri + "/" + path)));
    }
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(uri + "/" + path))
            .timeout(Duration.ofSeconds(120))
            .GET()
            .build();
    try {
      HttpResponse<InputStream> response =
          http.send(request, HttpResponse.BodyHandlers.ofInputStream());
      if (response.statusCode() != 200) {
        response.body().close();
        throw new IOException("HTTP " + response.statusCode() + " for " + request.uri());
      }
      return response.body();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    } catch (IOException e) {
      throw new IOException(
          "mirror unreachable ("
              + e.getClass().getSimpleName()
              + (e.getMessage() == null ? "" : ": " + e.getMessage())
              + ")",
          e);
    }
  }

  /**
   * Up to five names closest to {@code wanted}: shared prefix or substring first, then edit
   * distance.
   */
  static List<String> closeMatches(String wanted, Collection<String> names) {
    return names.stream()
        .filter(
            n ->
                n.contains(wanted)
                    || wanted.contains(n)
                    || distance(n, wanted) <= Math.max(2, wanted.length() / 4))
        .sorted(Comparator.<String>comparingInt(n -> distance(n, wanted)).thenComparing(n -> n))
        .limit(5)
        .toList();
  }

  static int distance(String a, String b) {
    int[] prev = new int[b.length() + 1];
    int[] cur = new int[b.length() + 1];
    for (int j = 0; j <= b.length(); j++) {
      prev[j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      cur[0] = i;
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
      }
      int[] t = prev;
      prev = cur;
      cur = t;
    }
    return prev[b.length()];
  }
}
