package dev.appliance.runtime.instance;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.appliance.common.ApplianceException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Optional;

/** The files of one instance, under the state directory's {@code instances/NAME}. */
final class InstanceDir {
  static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(SerializationFeature.INDENT_OUTPUT)
          .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

  private final Path dir;

  InstanceDir(Path dir) {
    this.dir = dir.toAbsolutePath();
  }

  Path path() {
    return dir;
  }

  String name() {
    return dir.getFileName().toString();
  }

  Path specFile() {
    return dir.resolve("instance.json");
  }

  Path statusFile() {
    return dir.resolve("status.json");
  }

  Path console() {
    return dir.resolve("console.log");
  }

  Path supervisorLog() {
    return dir.resolve("supervisor.log");
  }

  /** The power-off grace {@code appliance stop} asks for: the supervisor reads it on SIGTERM. */
  Path stopGraceFile() {
    return dir.resolve("stop-grace");
  }

  Path configDisk() {
    return dir.resolve("config.img");
  }

  /**
   * Builds Jackson's reader of instance.json and writer of status.json ahead of their first use
   * (the supervisor does it while {@code run} still writes the spec).
   */
  static void prepareJson() {
    JSON.readerFor(InstanceSpec.class);
    JSON.writerFor(InstanceStatus.class);
  }

  InstanceSpec spec() {
    return read(specFile(), InstanceSpec.class);
  }

  void writeSpec(InstanceSpec spec) {
    write(specFile(), spec);
  }

  InstanceStatus status() {
    return Files.exists(statusFile())
        ? read(statusFile(), InstanceStatus.class)
        : InstanceStatus.created();
  }

  void writeStatus(InstanceStatus status) {
    write(statusFile(), status);
  }

  void writeStopGrace(Duration grace) {
    write(stopGraceFile(), grace.toSeconds());
  }

  /** The grace of the pending stop request, if {@code appliance stop} left one. */
  Optional<Duration> stopGrace() {
    try {
      return Optional.of(Duration.ofSeconds(JSON.readValue(stopGraceFile().toFile(), Long.class)))
          .filter(d -> !d.isNegative());
    } catch (IOException | RuntimeException e) {
      return Optional.empty(); // none, or unreadable: the default grace
    }
  }

  void clearStopGrace() {
    try {
      Files.deleteIfExists(stopGraceFile());
    } catch (IOException e) {
      throw new ApplianceException(
          "instance " + name() + ": cannot remove " + stopGraceFile() + ": " + e.getMessage(), e);
    }
  }

  private <T> T read(Path file, Class<T> type) {
    try {
      return JSON.readValue(file.toFile(), type);
    } catch (IOException e) {
      throw new ApplianceException(
          "instance " + name() + ": cannot read " + file + ": " + e.getMessage(), e);
    }
  }

  /** Write to a temporary file and rename: readers never see half a file. */
  private void write(Path file, Object value) {
    Path temp =
        file.resolveSibling(file.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
    try {
      JSON.writeValue(temp.toFile(), value);
      Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new ApplianceException(
          "instance " + name() + ": cannot write " + file + ": " + e.getMessage(), e);
    }
  }
}
