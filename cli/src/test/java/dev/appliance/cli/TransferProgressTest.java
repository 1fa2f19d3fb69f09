package dev.appliance.cli;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Digest;
import dev.appliance.oci.MediaTypes;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

class TransferProgressTest {
  private final Descriptor layer =
      new Descriptor(MediaTypes.OCI_LAYER_GZIP, Digest.sha256(new byte[] {1}), 2_000_000);
  private final Descriptor config =
      new Descriptor(MediaTypes.OCI_CONFIG, Digest.sha256(new byte[] {2}), 500);

  private String run(boolean terminal) {
    StringWriter text = new StringWriter();
    TransferProgress progress = new TransferProgress(new PrintWriter(text), terminal, "pushing");
    progress.stage("connecting to registry.example");
    progress.blobStarted(layer);
    progress.blobStarted(config);
    progress.blobFinished(config, true);
    progress.blobProgress(layer, 1_000_000);
    progress.blobFinished(layer, false);
    return text.toString();
  }

  @Test
  void onATerminalEachLayerHasABarRedrawnInPlace() {
    String out = run(true);
    assertTrue(out.contains("\u001b[2A\u001b[J"), out);
    assertTrue(out.contains(layer.digest().shortHex() + " [" + "=".repeat(30) + "] done"), out);
    assertTrue(
        out.contains(config.digest().shortHex() + " [" + "=".repeat(30) + "] already there"), out);
  }

  @Test
  void elsewhereEachStepIsOnePlainLine() {
    String out = run(false);
    assertFalse(out.contains("\u001b"), out);
    assertTrue(out.contains("connecting to registry.example\n"), out);
    assertTrue(out.contains("pushing " + layer.digest().shortHex() + " (2.0 MB)\n"), out);
    assertTrue(out.contains(config.digest().shortHex() + ": already there, skipped\n"), out);
    assertTrue(out.contains(layer.digest().shortHex() + ": done\n"), out);
  }
}
