package dev.appliance.cli;

import dev.appliance.store.ImageStore;
import dev.appliance.store.StoreVerifier;
import java.io.PrintWriter;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(
    name = "verify",
    description = {
      "Check every blob of the local store (size and SHA-256 digest) and every tag (manifest, config, layers).",
      "Each problem names the blob, the images that need it, and what to do. Exit code 0: the store is intact;"
          + " 1: damage was found (also with --repair)."
    })
final class StoreVerifyCommand extends BaseCommand {
  @Mixin OutputOptions output;

  @Option(
      names = "--repair",
      description =
          "Set damaged blobs aside, so that the next 'appliance pull' fetches them again.")
  boolean repair;

  @Override
  public Integer call() {
    output.progress(err(), "verifying the store " + dirs().store() + " (every blob is read)");
    StoreVerifier.Report report = new StoreVerifier(ImageStore.open(dirs().store())).verify(repair);
    if (output.json) {
      out().println(Json.write(ReportJson.of(report)));
    } else {
      print(report, out());
    }
    return report.clean() ? 0 : 1;
  }

  private static void print(StoreVerifier.Report report, PrintWriter out) {
    for (StoreVerifier.Problem p : report.problems()) {
      out.println(
          p.blob()
              + ": "
              + p.damage().name().toLowerCase(java.util.Locale.ROOT).replace('_', ' ')
              + ": "
              + p.detail()
              + (p.setAside() ? " (set aside)" : ""));
      out.println(
          "  needed by: "
              + (p.neededBy().isEmpty() ? "no tagged image" : String.join(", ", p.neededBy())));
      out.println("  to fix: " + RemedyText.toFix(p));
    }
    out.println(
        (report.clean() ? "store intact: " : report.problems().size() + " problem(s): ")
            + report.tags()
            + " tags, "
            + report.blobs()
            + " blobs, "
            + Sizes.human(report.bytes())
            + " checked");
  }

  /** What --json prints: the report, {@code clean} first. */
  record ReportJson(boolean clean, int tags, int blobs, long bytes, List<ProblemJson> problems) {
    static ReportJson of(StoreVerifier.Report report) {
      return new ReportJson(
          report.clean(),
          report.tags(),
          report.blobs(),
          report.bytes(),
          report.problems().stream().map(ProblemJson::of).toList());
    }
  }

  record ProblemJson(
      String blob,
      String damage,
      String detail,
      List<String> neededBy,
      String advice,
      boolean setAside) {
    static ProblemJson of(StoreVerifier.Problem p) {
      return new ProblemJson(
          p.blob(), p.damage().name(), p.detail(), p.neededBy(), RemedyText.toFix(p), p.setAside());
    }
  }
}
