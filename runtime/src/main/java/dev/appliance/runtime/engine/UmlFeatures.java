package dev.appliance.runtime.engine;

import dev.appliance.runtime.disk.HostTool;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a UML kernel can do, read from its {@code --help} (which lists the command-line options it
 * was built with): {@code seccomp=} (the fast system-call interception of Linux 6.16+) and {@code
 * ncpus=} (SMP, Linux 6.19+ built with CONFIG_SMP; Debian sid's 7.2 has no SMP). The kernel is the
 * image's program, so the probe runs in the instance's sandbox; its verdict is cached beside the
 * kernel (in the image's UML cache directory) under the kernel file's identity, so a second run
 * does not start the kernel twice and a replaced kernel is probed again.
 */
record UmlFeatures(boolean seccomp, boolean smp) {
  static final String PROBE = "uml-help";
  private static final Pattern ENCODED = Pattern.compile("seccomp=(true|false) smp=(true|false)");

  /** The features of {@code kernel}, from the cache or from its {@code --help}. */
  static UmlFeatures of(
      Path kernel, ProcessStarter starter, Confinement confinement, Path workDir) {
    ProbeCache cache = new ProbeCache(kernel.getParent());
    String key = ProbeCache.fileIdentity(kernel);
    return cache
        .get(PROBE, key)
        .flatMap(UmlFeatures::decode)
        .orElseGet(
            () -> {
              String help =
                  HostTool.run(
                          starter.confined(List.of(kernel.toString(), "--help"), confinement),
                          workDir,
                          HostTool.Options.SHORT.merged())
                      .stdout();
              UmlFeatures features = fromHelp(help);
              cache.put(PROBE, key, features.encode());
              return features;
            });
  }

  static UmlFeatures fromHelp(String help) {
    return new UmlFeatures(help.contains("seccomp="), help.contains("ncpus="));
  }

  String encode() {
    return "seccomp=" + seccomp + " smp=" + smp;
  }

  static Optional<UmlFeatures> decode(String verdict) {
    Matcher m = ENCODED.matcher(verdict);
    return m.matches()
        ? Optional.of(
            new UmlFeatures(Boolean.parseBoolean(m.group(1)), Boolean.parseBoolean(m.group(2))))
        : Optional.empty();
  }
}
