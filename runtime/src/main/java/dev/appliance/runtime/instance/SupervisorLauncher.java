package dev.appliance.runtime.instance;

import dev.appliance.common.ApplianceException;
import dev.appliance.runtime.engine.ProcessStarter;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.OptionalLong;
import java.util.stream.Collectors;

/** Starts an instance's {@link Supervisor} in its own JVM and session. */
final class SupervisorLauncher {
  private SupervisorLauncher() {}

  /**
   * Starts the instance's supervisor in its own session. It waits for instance.json when the
   * instance is still being created (and gives up if this process dies first).
   *
   * @param ownerPid the instance stops when this process ends (foreground runs)
   */
  static void launch(InstanceDir dir, OptionalLong ownerPid) {
    InstanceStatus status = dir.status();
    List<String> command = new ArrayList<>();
    Path setsid = Path.of("/usr/bin/setsid");
    if (Files.isExecutable(setsid)) {
      command.add(setsid.toString()); // own session: a terminal's Ctrl-C goes to the CLI only
    }
    String classPath = absoluteClassPath();
    command.addAll(
        List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-XX:+UseSerialGC",
            "-Xmx64m",
            "-XX:TieredStopAtLevel=1",
            "-XX:-UsePerfData"));
    command.addAll(ClassDataArchive.jvmOptions(classPath));
    command.addAll(List.of("-cp", classPath, Supervisor.class.getName(), dir.path().toString()));
    command.addAll(List.of("--creator", Long.toString(ProcessHandle.current().pid())));
    ownerPid.ifPresent(pid -> command.addAll(List.of("--owner", Long.toString(pid))));
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .directory(dir.path().toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
            .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.supervisorLog().toFile()))
            .redirectErrorStream(true);
    pb.environment().put(ProcessStarter.MARKER, dir.path().toString());
    try {
      Process supervisor = pb.start();
      dir.writeStatus(
          status.withSupervisor(supervisor.pid()).with(InstanceStatus.State.STARTING, null));
    } catch (IOException e) {
      throw new ApplianceException(
          "cannot start the supervisor of " + dir.name() + ": " + e.getMessage(), e);
    }
  }

  /**
   * This JVM's class path with every entry absolute: the supervisor runs in the instance directory,
   * where a relative entry (java -jar cli/target/appliance.jar) would point nowhere.
   */
  private static String absoluteClassPath() {
    return Arrays.stream(System.getProperty("java.class.path").split(File.pathSeparator))
        .map(entry -> Path.of(entry).toAbsolutePath().toString())
        .collect(Collectors.joining(File.pathSeparator));
  }
}
