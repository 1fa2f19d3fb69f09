package dev.appliance.runtime.capture;

import dev.appliance.common.ApplianceDirs;
import dev.appliance.common.ApplianceException;
import dev.appliance.common.FileTrees;
import dev.appliance.runtime.disk.HostTool;
import dev.appliance.runtime.disk.ImageFiles;
import dev.appliance.runtime.disk.ImageLayers;
import dev.appliance.runtime.engine.Bubblewrap;
import dev.appliance.runtime.engine.Confinement;
import dev.appliance.runtime.engine.Sandbox;
import dev.appliance.runtime.host.RunRemedy;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Incident triage without a sensor: the image's own Suricata (program, libraries, configuration and
 * rules, extracted from its layers) reads a pcap in one run ({@code suricata -r}) and the alerts
 * come out as EVE JSON lines. The image's program runs confined like an engine: its files and the
 * pcap read-only, a work directory of its own, no network, no capabilities.
 */
public final class OfflineAnalysis {
  static final String SURICATA = "/usr/bin/suricata";
  private static final String CONF = "/etc/suricata/";
  private static final String YAML = CONF + "suricata.yaml";
  private static final String CLASSIFICATION = CONF + "classification.config";
  private static final String REFERENCE = CONF + "reference.config";
  private static final String THRESHOLD = CONF + "threshold.config";
  private static final String RULES = CONF + "rules/local.rules";
  private static final Duration TIMEOUT = Duration.ofMinutes(30);

  private final ImageFiles files;
  private final Sandbox sandbox;
  private final Path workRoot;

  /**
   * @param workRoot where each analysis gets a directory of its own, removed afterwards
   */
  public OfflineAnalysis(ImageFiles files, Sandbox sandbox, Path workRoot) {
    this.files = files;
    this.sandbox = sandbox;
    this.workRoot = workRoot;
  }

  /**
   * An analysis confined by bubblewrap, or refused where the host cannot sandbox unless {@code
   * unconfined} (the image's Suricata then runs with the user's access to the user's files).
   */
  public static OfflineAnalysis forHost(ApplianceDirs dirs, boolean unconfined) {
    Sandbox sandbox = Sandbox.NONE;
    if (!unconfined) {
      Bubblewrap.Support host = Bubblewrap.probe();
      sandbox =
          host.sandbox()
              .orElseThrow(
                  () ->
                      new ApplianceException(
                          "cannot sandbox the image's suricata here ("
                              + host.problem()
                              + "). Fix: "
                              + host.fix(),
                          RunRemedy.RUN_UNSANDBOXED));
    }
    return new OfflineAnalysis(
        new ImageFiles(dirs), sandbox, dirs.instances().resolveSibling("analyze"));
  }

  /**
   * Analyzes {@code pcap} and writes each alert as one EVE JSON line to {@code out}.
   *
   * @param extraRules rules added to the image's (like the sensor's rules parameter), or null
   * @param homeNet Suricata's HOME_NET, or null for the image's default
   * @return the number of alerts
   */
  public long analyze(
      ImageLayers image, Path pcap, Path extraRules, String homeNet, PrintWriter out)
      throws IOException {
    PcapFile.check(pcap);
    ImageFiles.Program suricata = files.extractProgram(image, SURICATA);
    ImageFiles.Extracted conf =
        files.extract(image, List.of(YAML, CLASSIFICATION, REFERENCE, THRESHOLD, RULES));
    for (String needed : List.of(YAML, CLASSIFICATION, RULES)) {
      if (conf.files().get(needed) == null) {
        throw new ApplianceException(image.image() + ": no " + needed + " in the image");
      }
    }
    Files.createDirectories(workRoot);
    Path work = Files.createTempDirectory(workRoot, "analyze-");
    try {
      Path rules = work.resolve("active.rules");
      Files.copy(conf.files().get(RULES), rules);
      if (extraRules != null) {
        Files.write(rules, Files.readAllBytes(extraRules), java.nio.file.StandardOpenOption.APPEND);
      }
      Path logs = Files.createDirectory(work.resolve("log"));
      List<String> command = new ArrayList<>();
      if (suricata.interpreter() != null) {
        command.addAll(
            List.of(
                suricata.interpreter().toString(),
                "--library-path",
                suricata.libraryDir().toString()));
      }
      command.addAll(
          List.of(
              suricata.program().toString(),
              "-c",
              conf.files().get(YAML).toString(),
              "-r",
              pcap.toAbsolutePath().toString(),
              "-S",
              rules.toString(),
              "-l",
              logs.toString(),
              "-k",
              "none",
              "--runmode",
              "single",
              "--set",
              "classification-file=" + conf.files().get(CLASSIFICATION),
              "--set",
              "unix-command.enabled=no"));
      setIfPresent(command, conf, "reference-config-file=", REFERENCE);
      setIfPresent(command, conf, "threshold-file=", THRESHOLD);
      if (homeNet != null) {
        command.addAll(List.of("--set", "vars.address-groups.HOME_NET=" + homeNet));
      }
      List<Path> readOnly = new ArrayList<>(List.of(pcap.toAbsolutePath()));
      readOnly.add(suricata.libraryDir().getParent()); // the program and its libraries
      conf.files().values().forEach(readOnly::add);
      HostTool.Result result =
          HostTool.runAllowingFailure(
              sandbox.wrap(
                  command, work, Map.of(), Confinement.engine(List.of(work), readOnly, List.of())),
              work,
              HostTool.Options.DEFAULT.withTimeout(TIMEOUT));
      Path eve = logs.resolve("eve.json");
      if (result.exitCode() != 0 || !Files.exists(eve)) {
        throw new ApplianceException(
            image.image()
                + ": suricata -r failed (exit "
                + result.exitCode()
                + "): "
                + tail(result.stderr() + result.stdout()));
      }
      long alerts = 0;
      try (BufferedReader in = Files.newBufferedReader(eve, StandardCharsets.UTF_8)) {
        for (String line; (line = in.readLine()) != null; ) {
          if (line.contains("\"event_type\":\"alert\"")) {
            out.println(line);
            alerts++;
          }
        }
      }
      out.flush();
      return alerts;
    } finally {
      FileTrees.delete(work);
    }
  }

  private static String tail(String output) {
    String s = output.strip();
    return s.length() > 2000 ? "..." + s.substring(s.length() - 2000) : s;
  }

  private static void setIfPresent(
      List<String> command, ImageFiles.Extracted conf, String key, String path) {
    Path file = conf.files().get(path);
    if (file != null) {
      command.addAll(List.of("--set", key + file));
    }
  }
}
