package dev.appliance.builder;

import dev.appliance.common.ApplianceException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The host's apt configuration, read the way apt reads it: deb822 {@code
 * /etc/apt/sources.list.d/*.sources} and one-line {@code sources.list} files. The builder takes the
 * Debian mirror from here unless the recipe or {@code --mirror} names one, so no mirror host is
 * ever written into the code.
 */
public final class AptSources {
  /** One source: a URI and the suites it serves. */
  record Source(String uri, List<String> suites) {}

  private final List<Source> sources;
  private final String hostCodename;

  AptSources(List<Source> sources, String hostCodename) {
    this.sources = List.copyOf(sources);
    this.hostCodename = hostCodename;
  }

  /**
   * Reads {@code etc/apt/sources.list}, {@code sources.list.d/} and {@code os-release} under {@code
   * root}.
   */
  public static AptSources read(Path root) {
    List<Source> sources = new ArrayList<>();
    try {
      Path list = root.resolve("etc/apt/sources.list");
      if (Files.isRegularFile(list)) {
        sources.addAll(parseOneLine(Files.readString(list)));
      }
      Path dir = root.resolve("etc/apt/sources.list.d");
      if (Files.isDirectory(dir)) {
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
          stream.forEach(files::add);
        }
        files.sort(null);
        for (Path f : files) {
          String name = f.getFileName().toString();
          if (name.endsWith(".sources")) {
            sources.addAll(parseDeb822(Files.readString(f)));
          } else if (name.endsWith(".list")) {
            sources.addAll(parseOneLine(Files.readString(f)));
          }
        }
      }
      return new AptSources(sources, codename(root.resolve("etc/os-release")));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static AptSources host() {
    return read(Path.of("/"));
  }

  /**
   * The Debian mirror: the first source serving a suite of the host's release (not -security,
   * -updates or -backports), else the first plain Debian source.
   *
   * @throws ApplianceException when the host has no usable source
   */
  public String debianMirror() {
    Optional<Source> match =
        sources.stream()
            .filter(s -> !s.uri().contains("security"))
            .filter(s -> s.suites().stream().anyMatch(su -> su.equals(hostCodename)))
            .findFirst();
    if (match.isEmpty()) {
      match =
          sources.stream()
              .filter(s -> !s.uri().contains("security"))
              .filter(s -> s.suites().stream().anyMatch(su -> !su.contains("-")))
              .findFirst();
    }
    return match
        .map(s -> s.uri().replaceAll("/+$", ""))
        .orElseThrow(
            () ->
                new ApplianceException(
                    "no Debian mirror found in the host's apt sources (/etc/apt/sources.list, /etc/apt/sources.list.d/):"
                        + " name one with base.mirror in the recipe",
                    BuildRemedy.NAME_MIRROR));
  }

  static List<Source> parseDeb822(String text) {
    List<Source> result = new ArrayList<>();
    for (String stanza : text.split("\\n\\s*\\n")) {
      Map<String, String> fields = new LinkedHashMap<>();
      String last = null;
      for (String line : stanza.split("\n")) {
        if (line.startsWith("#") || line.isBlank()) {
          continue;
        }
        if (Character.isWhitespace(line.charAt(0)) && last != null) {
          fields.merge(last, " " + line.trim(), String::concat);
        } else if (line.contains(":")) {
          last = line.substring(0, line.indexOf(':')).trim().toLowerCase();
          fields.put(last, line.substring(line.indexOf(':') + 1).trim());
        }
      }
      boolean deb = List.of(fields.getOrDefault("types", "").split("\\s+")).contains("deb");
      boolean enabled = !"no".equalsIgnoreCase(fields.getOrDefault("enabled", "yes"));
      if (deb && enabled && fields.containsKey("uris")) {
        List<String> suites = List.of(fields.getOrDefault("suites", "").split("\\s+"));
        for (String uri : fields.get("uris").split("\\s+")) {
          result.add(new Source(uri, suites));
        }
      }
    }
    return result;
  }

  static List<Source> parseOneLine(String text) {
    List<Source> result = new ArrayList<>();
    for (String raw : text.split("\n")) {
      String line = raw.replaceAll("#.*", "").replaceAll("\\[[^]]*]", " ").trim();
      String[] parts = line.split("\\s+");
      if (parts.length >= 3 && parts[0].equals("deb")) {
        result.add(new Source(parts[1], List.of(parts[2])));
      }
    }
    return result;
  }

  private static String codename(Path osRelease) throws IOException {
    if (!Files.isRegularFile(osRelease)) {
      return "";
    }
    for (String line : Files.readAllLines(osRelease)) {
      if (line.startsWith("VERSION_CODENAME=")) {
        return line.substring("VERSION_CODENAME=".length()).replace("\"", "").trim();
      }
    }
    return "";
  }

  /**
   * apt options of the host that must carry over to the build's apt: a mirror snapshot with an
   * expired Release file needs Check-Valid-Until false, a proxy needs its setting. Read with
   * apt-config, as apt itself would.
   */
  public static List<String> hostAptOptions() {
    List<String> keep =
        List.of(
            "Acquire::Check-Valid-Until",
            "Acquire::Check-Date",
            "Acquire::http::Proxy",
            "Acquire::https::Proxy");
    List<String> options = new ArrayList<>();
    try {
      Processes.Result dump =
          Processes.run(List.of("apt-config", "dump"), Map.of(), null, l -> {}, true);
      for (String line : dump.stdoutText().split("\n")) {
        int space = line.indexOf(' ');
        if (space > 0
            && keep.stream().anyMatch(k -> k.equalsIgnoreCase(line.substring(0, space)))) {
          String value = line.substring(space + 1).replaceAll("^\"|\";$", "");
          options.add(line.substring(0, space) + "=" + value);
        }
      }
    } catch (ApplianceException e) {
      // No apt on this host: nothing to carry over.
    }
    return options;
  }
}
