package dev.appliance.cli;

import dev.appliance.runtime.capture.OfflineAnalysis;
import dev.appliance.runtime.disk.ImageLayers;
import dev.appliance.store.ImageStore;
import dev.appliance.store.StoredImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(
    name = "analyze",
    description = {
      "Run an IDS image's Suricata and rules over a pcap file, without booting it: the alerts as"
          + " EVE JSON, one per line, on stdout (incident triage).",
      "The image's program runs sandboxed like an engine: read-only files, no network."
    })
final class AnalyzeCommand extends BaseCommand {
  @Parameters(
      index = "0",
      paramLabel = "IMAGE",
      description = "Image in the local store (tag or digest), e.g. snort:1.0.0.")
  String image;

  @Option(
      names = "--pcap",
      required = true,
      paramLabel = "FILE",
      description =
          "The traffic: a pcap file (Ethernet; pcapng is refused with how to convert it).")
  Path pcap;

  @Option(
      names = "--rules",
      paramLabel = "FILE",
      description = "Rules added to the image's own, in Snort syntax (like the sensor's rules).")
  Path rules;

  @Option(
      names = "--home-net",
      paramLabel = "NETS",
      description = "Suricata's HOME_NET, e.g. [10.0.0.0/8] (default: the image's configuration).")
  String homeNet;

  @Option(
      names = "--no-sandbox",
      description =
          "Run the image's suricata unconfined (hosts that cannot sandbox; trusted images).")
  boolean noSandbox;

  @Override
  public Integer call() {
    StoredImage stored = ImageStore.open(dirs().store()).get(image);
    try {
      long alerts =
          OfflineAnalysis.forHost(dirs(), noSandbox)
              .analyze(ImageLayers.of(stored), pcap, rules, homeNet, out());
      err().println(alerts + " alerts");
      err().flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return 0;
  }
}
