package dev.appliance.runtime.engine;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Starts the host processes of one instance so that none can outlive it unseen:
 *
 * <ul>
 *   <li>each process is wrapped in {@code setpriv --pdeathsig KILL}, so the kernel kills it when
 *       its parent (the instance's supervisor) dies, even by SIGKILL (Java cannot call
 *       prctl(PR_SET_PDEATHSIG) itself). The signal fires when the <em>thread</em> that started the
 *       process ends, so callers start processes from a thread that lives as long as the processes;
 *   <li>each carries {@code APPLIANCE_INSTANCE=<instance dir>} in its environment, inherited by its
 *       own children, so leftovers can always be found and killed (see {@code InstanceProcesses}).
 *   <li>each runs inside the instance's {@link Sandbox}, confined to what its {@link Confinement}
 *       lists; bwrap sets the marker again inside and dies with its parent.
 * </ul>
 */
public final class ProcessStarter {
  /** Environment variable that marks every process of an instance. */
  public static final String MARKER = "APPLIANCE_INSTANCE";

  private static final Path SETPRIV = Path.of("/usr/bin/setpriv");

  private final Path workDir;
  private final String marker;
  private final Sandbox sandbox;

  /**
   * @param workDir the instance directory: working directory and marker value
   * @param sandbox confines every process started here
   */
  public ProcessStarter(Path workDir, Sandbox sandbox) {
    this.workDir = workDir.toAbsolutePath();
    this.marker = this.workDir.toString();
    this.sandbox = sandbox;
  }

  public Path workDir() {
    return workDir;
  }

  /**
   * The same starter without the sandbox, for a trusted host tool that needs the user's own rights
   * (tcpdump's CAP_NET_RAW, which the sandbox drops); still marked and killed with the instance.
   */
  public ProcessStarter withoutSandbox() {
    return new ProcessStarter(workDir, Sandbox.NONE);
  }

  /**
   * {@code command} as it must run confined, for a short run to completion (through HostTool)
   * rather than a long-lived process of the instance.
   */
  public List<String> confined(List<String> command, Confinement confinement) {
    return sandbox.wrap(command, workDir, Map.of(MARKER, marker), confinement);
  }

  /**
   * Starts {@code command} with its output (stdout and stderr) readable from the returned process.
   */
  public Process startPiped(List<String> command, Confinement confinement) throws IOException {
    return builder(command, confinement).redirectErrorStream(true).start();
  }

  /**
   * Starts {@code command} with its standard input and output as pipes (a packet stream), its
   * errors appended to {@code log}.
   */
  public Process startStreaming(List<String> command, Path log, Confinement confinement)
      throws IOException {
    return builder(command, confinement)
        .redirectInput(ProcessBuilder.Redirect.PIPE)
        .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
  }

  /** Starts {@code command} with its output appended to {@code log}. */
  public Process startLogged(List<String> command, Path log, Confinement confinement)
      throws IOException {
    File file = log.toFile();
    return builder(command, confinement)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(file))
        .redirectError(ProcessBuilder.Redirect.appendTo(file))
        .start();
  }

  private ProcessBuilder builder(List<String> command, Confinement confinement) {
    List<String> full = new ArrayList<>();
    if (Files.isExecutable(SETPRIV)) {
      full.addAll(List.of(SETPRIV.toString(), "--pdeathsig", "KILL", "--"));
    }
    full.addAll(confined(command, confinement));
    ProcessBuilder pb =
        new ProcessBuilder(full)
            .directory(workDir.toFile())
            .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
    Map<String, String> env = pb.environment();
    env.put(MARKER, marker);
    return pb;
  }
}
