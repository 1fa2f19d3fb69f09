package dev.appliance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.appliance.builder.ImageDiff;
import dev.appliance.builder.Rebuild;
import dev.appliance.oci.Digest;
import dev.appliance.runtime.instance.InstanceInfo;
import dev.appliance.runtime.instance.VolumeInfo;
import dev.appliance.runtime.net.PublishedPort;
import dev.appliance.store.StoreVerifier;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The --json documents keep the field names and order they had when they were built from maps (the
 * expected strings follow the key order that code put), so scripts keep working.
 */
class JsonRecordsTest {
  @Test
  void transfers() {
    assertEquals(
        "{\"target\":\"r.example/a:1\",\"digest\":\"sha256:ab\",\"bytesSent\":10,\"blobsSent\":2,\"blobsSkipped\":1}",
        Json.write(new PushCommand.Pushed("r.example/a:1", "sha256:ab", 10, 2, 1)));
    assertEquals(
        "{\"source\":\"r.example/a:1\",\"name\":\"a:1\",\"digest\":\"sha256:ab\",\"bytesReceived\":10,"
            + "\"blobsReceived\":2,\"blobsSkipped\":1}",
        Json.write(new PullCommand.Pulled("r.example/a:1", "a:1", "sha256:ab", 10, 2, 1)));
  }

  @Test
  void rebuild() {
    Digest a = new Digest("sha256", "a".repeat(64));
    Digest b = new Digest("sha256", "b".repeat(64));
    Rebuild.Result result =
        new Rebuild.Result(
            "lamp:1",
            "directory d (lamp.yaml)",
            a,
            b,
            false,
            List.of(
                new Rebuild.LayerComparison(1, "base", a, a),
                new Rebuild.LayerComparison(2, "files lamp", b, null)),
            List.of(new ImageDiff.Change("/etc/motd", "changed", List.of("content"))));
    String sa = "\"" + a + "\"";
    String sb = "\"" + b + "\"";
    assertEquals(
        "{\"image\":\"lamp:1\",\"source\":\"directory d (lamp.yaml)\",\"identical\":false,"
            + "\"digest\":"
            + sa
            + ",\"rebuiltDigest\":"
            + sb
            + ",\"configIdentical\":false,"
            + "\"layers\":[{\"index\":1,\"name\":\"base\",\"identical\":true,\"digest\":"
            + sa
            + ",\"rebuiltDigest\":"
            + sa
            + "},{\"index\":2,\"name\":\"files lamp\",\"identical\":false,"
            + "\"digest\":"
            + sb
            + ",\"rebuiltDigest\":null}],"
            + "\"files\":[{\"path\":\"/etc/motd\",\"change\":\"changed\",\"what\":[\"content\"]}]}",
        Json.write(Rebuilt.of(result)));
  }

  @Test
  void instancesAndVolumes() {
    InstanceInfo info =
        new InstanceInfo(
            "web",
            "lamp:1",
            "uml",
            "running",
            true,
            List.of(
                new PublishedPort("127.0.0.1", 8080, 80, "tcp", false),
                new PublishedPort("127.0.0.1", 9000, 9, "tcp", true)),
            List.of("http://127.0.0.1:8080/"),
            null,
            List.of("booted"));
    assertEquals(
        "{\"name\":\"web\",\"image\":\"lamp:1\",\"engine\":\"uml\",\"state\":\"running\",\"healthy\":true,"
            + "\"ports\":[{\"address\":\"127.0.0.1\",\"hostPort\":8080,\"guestPort\":80,\"protocol\":\"tcp\"}],"
            + "\"urls\":[\"http://127.0.0.1:8080/\"],\"message\":null,\"events\":[\"booted\"]}",
        Json.write(InstanceView.InstanceJson.of(info)));
    VolumeInfo volume =
        new VolumeInfo("data", Path.of("/d/volumes/data/disk.ext4"), 4096, 1 << 30, List.of("web"));
    assertEquals(
        "{\"name\":\"data\",\"disk\":\"/d/volumes/data/disk.ext4\",\"bytesOnDisk\":4096,"
            + "\"capacityBytes\":1073741824,\"instances\":[\"web\"]}",
        Json.write(VolumeView.VolumeJson.of(volume)));
    assertEquals(
        "{\"removed\":[\"data\"],\"bytesFreed\":4096}",
        Json.write(new VolumePruneCommand.Pruned(List.of("data"), 4096)));
  }

  @Test
  void storeAndImages() {
    StoreVerifier.Report report =
        new StoreVerifier.Report(
            1,
            3,
            99,
            List.of(
                new StoreVerifier.Problem(
                    "sha256:ab",
                    StoreVerifier.Damage.values()[0],
                    "bad",
                    List.of("a:1"),
                    "pull it again",
                    false,
                    false)));
    assertEquals(
        "{\"clean\":false,\"tags\":1,\"blobs\":3,\"bytes\":99,\"problems\":[{\"blob\":\"sha256:ab\",\"damage\":\""
            + StoreVerifier.Damage.values()[0].name()
            + "\",\"detail\":\"bad\",\"neededBy\":[\"a:1\"],"
            + "\"advice\":\"pull it again\",\"setAside\":false}]}",
        Json.write(StoreVerifyCommand.ReportJson.of(report)));
    assertEquals(
        "[{\"name\":\"a:1\",\"digest\":\"sha256:ab\",\"size\":12,\"layers\":2,\"created\":null}]",
        Json.write(List.of(new ImagesCommand.Row("a:1", "sha256:ab", 12, 2, null))));
    assertEquals(
        "{\"blobsRemoved\":2,\"bytesFreed\":100}", Json.write(new GcCommand.Collected(2, 100)));
  }

  @Test
  void buildLockAndExport() {
    Map<String, Double> timings = new LinkedHashMap<>();
    timings.put("base", 1.5);
    timings.put("packages", 20.25);
    assertEquals(
        "{\"tag\":\"a:1\",\"digest\":\"sha256:ab\",\"layers\":[{\"name\":\"base\",\"digest\":\"sha256:cd\","
            + "\"diffId\":\"sha256:ef\",\"size\":7,\"cached\":true}],\"size\":7,"
            + "\"timings\":{\"base\":1.5,\"packages\":20.25},\"packages\":3}",
        Json.write(
            new BuildCommand.Built(
                "a:1",
                "sha256:ab",
                List.of(new BuildCommand.LayerJson("base", "sha256:cd", "sha256:ef", 7, true)),
                7,
                timings,
                3)));
    assertEquals(
        "{\"lockFile\":\"/r/lamp.lock\",\"packages\":3,\"suites\":{\"trixie\":\"20260101T000000Z\"}}",
        Json.write(
            new LockCommand.Locked("/r/lamp.lock", 3, Map.of("trixie", "20260101T000000Z"))));
    assertEquals(
        "{\"disk\":\"/o/a.qcow2\",\"files\":[\"/o/a.qcow2\"],\"containerDisk\":null}",
        Json.write(new ExportCommand.Exported("/o/a.qcow2", List.of("/o/a.qcow2"), null)));
  }
}
