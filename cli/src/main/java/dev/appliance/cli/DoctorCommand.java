package dev.appliance.cli;

import dev.appliance.builder.host.BuilderHostChecks;
import dev.appliance.common.HostCheck;
import dev.appliance.runtime.host.RuntimeHostChecks;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** Reports what this host can do; gaps are findings, not failures (exit 0). */
@Command(
    name = "doctor",
    description = {
      "Check what this host can do and how to close the gaps.",
      "Reports builder prerequisites, each engine (kvm, uml, tcg) usable or not and why, networking"
          + " helpers, disk tools and free space, with the exact command to fix each gap.",
      "Exits 0 even when something is missing (it is a report); 1 only if the checks themselves fail."
    })
final class DoctorCommand extends BaseCommand {
  @Mixin OutputOptions output;

  @Override
  public Integer call() throws Exception {
    if (!output.quiet) {
      err().println("checking the host (KVM is tested by booting a tiny guest)...");
      err().flush();
    }
    List<HostCheck> checks = new ArrayList<>(new BuilderHostChecks().run());
    checks.addAll(new RuntimeHostChecks().run(dirs()));
    if (output.json) {
      out().println(Json.write(checks.stream().map(CheckJson::of).toList()));
    } else {
      printTable(out(), checks);
    }
    return 0;
  }

  private static void printTable(PrintWriter out, List<HostCheck> checks) {
    int width = checks.stream().mapToInt(c -> c.name().length()).max().orElse(0);
    for (HostCheck check : checks) {
      out.printf(
          "%-4s %-" + width + "s  %s%n", check.ok() ? "ok" : "GAP", check.name(), check.detail());
      if (!check.ok()) {
        out.printf("%-4s %-" + width + "s  fix: %s%n", "", "", fix(check));
      }
    }
    List<String> engines =
        checks.stream()
            .filter(c -> c.ok() && c.name().startsWith("engine."))
            .map(c -> c.name().substring("engine.".length()))
            .toList();
    out.println(
        engines.isEmpty()
            ? "no engine is usable on this host"
            : "usable engines, fastest first: " + String.join(", ", engines));
  }

  /** The check's fix, followed by the option its remedy names. */
  private static String fix(HostCheck check) {
    return check.fix() == null
        ? null
        : RemedyText.message(check.fix(), java.util.Optional.ofNullable(check.remedy()));
  }

  /** What --json prints for a check. */
  record CheckJson(String name, boolean ok, String detail, String fix) {
    static CheckJson of(HostCheck check) {
      return new CheckJson(check.name(), check.ok(), check.detail(), DoctorCommand.fix(check));
    }
  }
}
