package dev.appliance.build;

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

/**
 * RECIPE.lock: the exact package set of a build. {@code appliance build} pins
 * every listed version and checks each .deb against its SHA-256.
 *
 * @param suites   each suite used and the Date of its Release file at lock time
 * @param packages every installed package, sorted by name
 */
public record LockFile(Map<String, Instant> suites, List<LockedPackage> packages) {
    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES))
            .findAndRegisterModules()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    public LockFile {
        suites = new TreeMap<>(suites);
        packages = packages.stream().sorted(Comparator.comparing(LockedPackage::name)
                .thenComparing(LockedPackage::architecture)).toList();
    }

    /** One package: {@code sha256} is the hex digest of its .deb. */
    public record LockedPackage(String name, String version, String architecture, String sha256) {}

    /** The lock file beside a recipe: {@code lamp.yaml.lock}. */
    public static Path pathFor(Path recipe) {
        return recipe.resolveSibling(recipe.getFileName() + ".lock");
    }

    public static LockFile read(Path file) {
        try {
            Dto dto = YAML.readValue(file.toFile(), Dto.class);
            Map<String, Instant> suites = new TreeMap<>();
            dto.suites.forEach((k, v) -> suites.put(k, Instant.parse(v)));
            return new LockFile(suites, dto.packages);
        } catch (IOException | RuntimeException e) {
            throw new InvalidInputException(file + ": not a valid lock file (" + e.getMessage().split("\n")[0]
                    + "); regenerate it with 'appliance lock'", e);
        }
    }

    public void write(Path file) {
        Dto dto = new Dto();
        suites.forEach((k, v) -> dto.suites.put(k, v.toString()));
        dto.packages = packages;
        try {
            String text = "# Written by 'appliance lock'. Commit it beside the recipe; 'appliance build' installs exactly these.\n"
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
            prefs.append("Package: ").append(p.name()).append('\n')
                    .append("Pin: version ").append(p.version()).append('\n')
                    .append("Pin-Priority: 1001\n\n");
        }
        return prefs.toString();
    }

    /** Jackson's view of the file. */
    static final class Dto {
        @JsonProperty
        public Map<String, String> suites = new TreeMap<>();
        @JsonProperty
        public List<LockedPackage> packages = List.of();
    }
}
