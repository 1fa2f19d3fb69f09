package dev.appliance.runtime.instance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClassDataArchiveTest {
  @TempDir Path dir;

  @Test
  void supervisorMapsTheArchiveBesideTheJarWithItsLogsOff() throws IOException {
    Path jar = Files.createFile(dir.resolve("appliance.jar"));
    Path archive = Files.createFile(dir.resolve("appliance.jsa"));
    assertEquals(
        List.of("-XX:SharedArchiveFile=" + archive, "-Xlog:cds=off", "-Xlog:cds+dynamic=off"),
        ClassDataArchive.jvmOptions(jar.toString()));
  }

  @Test
  void noArchiveNoOption() throws IOException {
    Path jar = Files.createFile(dir.resolve("appliance.jar"));
    assertEquals(List.of(), ClassDataArchive.jvmOptions(jar.toString()));
    Files.createDirectory(dir.resolve("appliance.jsa")); // not a file
    assertEquals(List.of(), ClassDataArchive.jvmOptions(jar.toString()));
  }

  @Test
  void classDirectoriesAndLongClassPathsGetNone() throws IOException {
    Files.createFile(dir.resolve("appliance.jsa"));
    String jar = dir.resolve("appliance.jar").toString();
    assertEquals(List.of(), ClassDataArchive.jvmOptions(jar + ":" + dir.resolve("classes")));
    assertEquals(List.of(), ClassDataArchive.jvmOptions(dir.toString()));
  }
}
