package dev.appliance.builder;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import dev.appliance.common.InvalidInputException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * RECIPE.lock: the exact package set of a build. {@code appliance build} pins every listed version
 * and checks each .deb against its SHA-256.
 *
 * @param suites each suite used and the Date of its Release file at lock time
 * @param packages every installed package, sorted by name
 */
public record LockFile(Map<String, Instant> suites, List<LockedPackage> packages) {
  private static final ObjectMapper YAML =
      new ObjectMapper(
              new YAMLFactory()
                  .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                  .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
          .findAndRegisterModules()
          .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private static final Pattern PACKAGE_NAME = Pattern.compile("[a-z0-9][a-z0-9+.-]+");
  private static final Pattern VERSION = Pattern.compile("[0-9A-Za-z.+~:-]+");
  private static final Pattern ARCHITECTURE = Pattern.compile("[a-z0-9-]+");
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  public LockFile {
    suites = new TreeMap<>(suites);
    packages =
        packages.stream()
            .sorted(
                Comparator.comparing(LockedPackage::name)
                    .thenComparing(LockedPackage::architecture))
            .toList();
  }

  /** One package: {@code sha256} is the hex digest of its .deb. */
  public record LockedPackage(String name, String version, String architecture, String sha256) {
    /**
     * Whether the lock knows the .deb's SHA-256 (lock files from before a .deb was cached may not).
     */
    public boolean hasSha256() {
      return sha256 != null && SHA256.matcher(sha256).matches();
    }
  }

  /** The lock file beside a recipe: {@code lamp.yaml.lock}. */
  public static Path pathFor(Path recipe) {
    return recipe.resolveSibling(recipe.getFileName() + ".lock");
  }

  public static LockFile read(Path file) {
    try {
      Dto dto = YAML.readValue(file.toFile(), Dto.class);
      Map<String, Instant> suites = new TreeMap<>();
      dto.suites.forEach((k, v) -> suites.put(k, Instant.parse(v)));
      dto.packages.forEach(p -> check(file, p));
      return new LockFile(suites, dto.packages);
    } catch (InvalidInputException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new InvalidInputException(
          file
              + ": not a valid lock file ("
              + e.getMessage().split("\n")[0]
              + "); regenerate it with 'appliance lock'",
          e);
    }
  }

  /**
   * Names and versions become .deb file names in the cache: nothing but Debian's own characters.
   */
  private static void check(Path file, LockedPackage p) {
    boolean valid =
        p.name() != null
            && PACKAGE_NAME.matcher(p.name()).matches()
            && p.version() != null
            && VERSION.matcher(p.version()).matches()
            && p.architecture() != null
            && ARCHITECTURE.matcher(p.architecture()).matches()
            && (p.sha256() == null || p.sha256().isEmpty() || p.hasSha256());
    if (!valid) {
      throw new InvalidInputException(
          file
              + ": invalid package entry "
              + p
              + " (name, version, architecture or sha256 malformed); regenerate it with 'appliance lock'");
    }
  }

  public void write(Path file) {
    Dto dto = new Dto();
    suites.forEach((k, v) -> dto.suites.put(k, v.toString()));
    dto.packages = packages;
    try {
      String text =
          "# Written by 'appliance lock'. Commit it beside the recipe; 'appliance build' installs exactly these.\n"
              + YAML.writeValueAsString(dto);
      Path temp = file.resolveSibling(file.getFileName() + ".tmp");
      Files.writeString(temp, text);
      Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** apt preferences that pin every locked version. */
  String aptPreferences() {
    StringBuilder prefs = new StringBuilder("# appliance lock file pins\n");
    for (LockedPackage p : packages) {
      prefs
          .append("Package: ")
          .append(p.name())
          .append('\n')
          .append("Pin: version ")
          .append(p.version())
          .append('\n')
          .append("Pin-Priority: 1001\n\n");
    }
    return prefs.toString();
  }

  /** Jackson's view of the file. */
  static final class Dto {
    @JsonProperty public Map<String, String> suites = new TreeMap<>();
    @JsonProperty public List<LockedPackage> packages = List.of();
  }
}
