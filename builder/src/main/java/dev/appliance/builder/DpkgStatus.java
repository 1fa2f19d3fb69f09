package dev.appliance.builder;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** The installed packages of a root file system, from /var/lib/dpkg/status. */
final class DpkgStatus {
  /** An installed package; {@code source} is the source package name. */
  record Installed(
      String name, String version, String architecture, String source, String sourceVersion) {}

  private DpkgStatus() {}

  /**
   * Reads the status file without following a symbolic link on the way (one could lead onto the
   * host).
   */
  static List<Installed> read(Path root) {
    String status = "var/lib/dpkg/status";
    try (InputStream in = InsideRoot.open(root, status)) {
      return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + root.resolve(status), e);
    }
  }

  static List<Installed> parse(String text) {
    List<Installed> installed = new ArrayList<>();
    for (String stanza : text.split("\n\n")) {
      String name = null;
      String version = null;
      String arch = null;
      String source = null;
      String status = "";
      for (String line : stanza.split("\n")) {
        if (line.startsWith("Package: ")) {
          name = line.substring(9).trim();
        } else if (line.startsWith("Version: ")) {
          version = line.substring(9).trim();
        } else if (line.startsWith("Architecture: ")) {
          arch = line.substring(14).trim();
        } else if (line.startsWith("Source: ")) {
          source = line.substring(8).trim();
        } else if (line.startsWith("Status: ")) {
          status = line.substring(8).trim();
        }
      }
      if (name != null && version != null && status.endsWith(" installed")) {
        String sourceName = source == null ? name : source.split(" ")[0];
        String sourceVersion =
            source != null && source.contains("(")
                ? source.substring(source.indexOf('(') + 1, source.indexOf(')'))
                : version;
        installed.add(
            new Installed(name, version, arch == null ? "all" : arch, sourceName, sourceVersion));
      }
    }
    installed.sort(Comparator.comparing(Installed::name).thenComparing(Installed::architecture));
    return installed;
  }
}
