package dev.appliance.runtime.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.appliance.runtime.disk.HostTool;
import dev.appliance.runtime.disk.Unprivileged;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The whole export (ext4 root, FAT ESP, GPT, qcow2) works for an ordinary user. */
class NonRootExportTest {
  @Test
  void anUnprivilegedUserExportsAQcow2WithOwnersIntact() throws Exception {
    try (Unprivileged user = new Unprivileged()) {
      Path layer = ExportTest.standInLayer(user.dir().resolve("layer.tar.gz"));
      Path work = user.writableDir("work");

      HostTool.Result run =
          user.runJava(ExportMain.class, work.toString(), "qcow2", layer.toString());

      assertEquals(0, run.exitCode(), run.stderr());
      Path qcow2 = Path.of(run.stdout().strip());
      assertNotEquals(0, Unprivileged.owner(qcow2));
      ExportTest.run("qemu-img", "check", qcow2.toString());
      Path raw = user.dir().resolve("check.raw");
      ExportTest.run("qemu-img", "convert", "-O", "raw", qcow2.toString(), raw.toString());
      JsonNode parts =
          new ObjectMapper()
              .readTree(ExportTest.run("sfdisk", "--json", raw.toString()))
              .get("partitiontable")
              .get("partitions");
      String esp = raw + "@@" + parts.get(0).get("start").asLong() * 512;
      assertTrue(
          ExportTest.run("mtype", "-i", esp, "::/loader/entries/appliance.conf")
              .contains("root=PARTUUID="));
      Path root = user.dir().resolve("root.ext4");
      ExportTest.run(
          "dd",
          "if=" + raw,
          "of=" + root,
          "bs=512",
          "skip=" + parts.get(1).get("start").asLong(),
          "count=" + parts.get(1).get("size").asLong(),
          "status=none");
      String stat = ExportTest.run("debugfs", "-R", "stat /home/web/secret", root.toString());
      assertTrue(stat.contains("User:  1000   Group:  1000") && stat.contains("Mode:  0600"), stat);
    }
  }
}
