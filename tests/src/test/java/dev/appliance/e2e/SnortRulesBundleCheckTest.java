package dev.appliance.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.e2e.support.E2eEnvironment;
import dev.appliance.e2e.support.EndToEnd;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.Test;

/**
 * The sensor's checks of a rules bundle's tar (recipes/snort/files/appliance-ids-rules check-tar,
 * the real script, on the host's python3): what `appliance rules push` writes is accepted; links,
 * directories, devices, paths, parent references, duplicates, binary content and a bundle without
 * rules are refused, naming the entry, and nothing is written then.
 */
@EndToEnd
class SnortRulesBundleCheckTest {
  private static final String SCRIPT = "recipes/snort/files/appliance-ids-rules";
  private static final byte[] RULE =
      "alert http any any -> any any (msg:\"x\"; content:\"y\"; sid:1000400; rev:1;)\n"
          .getBytes(StandardCharsets.UTF_8);

  private final Path work = E2eEnvironment.freshDirectory("rules-bundle-check");

  @Test
  void aBundleAsPushedIsUnpacked() throws Exception {
    byte[] tar =
        tar(
            t -> {
              file(t, "local.rules", RULE);
              file(t, "classification.config", "config classification: x,X,1\n".getBytes());
              file(t, "threshold.config", new byte[0]);
            });
    Path out = work.resolve("ok");
    assertEquals(
        "classification.config\nlocal.rules\nthreshold.config\n", check("ok", tar, out, 0));
    assertEquals(new String(RULE), Files.readString(out.resolve("local.rules")));
  }

  @Test
  void refusesWhatCouldEscapeOrIsNotARulesFile() throws Exception {
    assertRefused(
        "symlink",
        t -> link(t, "evil.rules", "/etc/shadow", TarConstants.LF_SYMLINK),
        "entry evil.rules: not a regular file");
    assertRefused(
        "hardlink",
        t -> link(t, "evil.rules", "/etc/shadow", TarConstants.LF_LINK),
        "entry evil.rules: not a regular file");
    assertRefused(
        "device",
        t -> {
          TarArchiveEntry e = new TarArchiveEntry("dev.rules", TarConstants.LF_CHR);
          put(t, e, new byte[0]);
        },
        "entry dev.rules: not a regular file");
    assertRefused(
        "directory",
        t -> put(t, new TarArchiveEntry("rules/"), new byte[0]),
        "entry rules: not a regular file");
    assertRefused(
        "path", t -> file(t, "rules/a.rules", RULE), "entry rules/a.rules: a bundle holds");
    assertRefused(
        "parent", t -> file(t, "../../etc/cron.d/x.rules", RULE), "entry ../../etc/cron.d/x.rules");
    assertRefused("absolute", t -> file(t, "/etc/a.rules", RULE), "entry /etc/a.rules");
    assertRefused("other name", t -> file(t, "suricata.yaml", RULE), "entry suricata.yaml");
    assertRefused(
        "twice",
        t -> {
          file(t, "a.rules", RULE);
          file(t, "a.rules", RULE);
        },
        "entry a.rules: twice in the bundle");
    assertRefused(
        "binary",
        t -> file(t, "a.rules", new byte[] {'a', 0, '\n'}),
        "a.rules:1: control character 0x0");
    assertRefused(
        "escape sequence",
        t -> file(t, "a.rules", "ok\n\u001b[2J\n".getBytes()),
        "a.rules:2: control character 0x1b");
    assertRefused(
        "no rules",
        t -> file(t, "threshold.config", new byte[0]),
        "the bundle holds no .rules file");
    Path out = work.resolve("garbage");
    assertTrue(
        check("garbage", "not a tar at all".repeat(100).getBytes(), out, 2)
            .contains("not a readable tar"));
  }

  private void assertRefused(String name, TarWriter content, String expected) throws Exception {
    Path out = work.resolve(name.replace(' ', '-'));
    String err = check(name.replace(' ', '-'), tar(content), out, 2);
    assertTrue(err.contains("refused: " + expected) || err.contains(expected), name + ": " + err);
    assertFalse(Files.exists(out), name + ": nothing written");
  }

  /** Runs check-tar; returns stdout when it must succeed, stderr when it must refuse. */
  private String check(String name, byte[] tar, Path out, int exit) throws Exception {
    Path file = Files.write(work.resolve(name + ".tar"), tar);
    Process p =
        new ProcessBuilder("python3", SCRIPT, "check-tar", file.toString(), out.toString())
            .directory(E2eEnvironment.repository().toFile())
            .start();
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    String stdout = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String stderr = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(exit, p.exitValue(), name + ": " + stdout + stderr);
    return exit == 0 ? stdout : stderr;
  }

  private interface TarWriter {
    void write(TarArchiveOutputStream tar) throws IOException;
  }

  private static byte[] tar(TarWriter content) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream t = new TarArchiveOutputStream(bytes)) {
      t.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      content.write(t);
      t.finish();
    }
    return bytes.toByteArray();
  }

  private static void file(TarArchiveOutputStream t, String name, byte[] content)
      throws IOException {
    put(t, new TarArchiveEntry(name, true), content);
  }

  private static void link(TarArchiveOutputStream t, String name, String target, byte type)
      throws IOException {
    TarArchiveEntry e = new TarArchiveEntry(name, type);
    e.setLinkName(target);
    put(t, e, new byte[0]);
  }

  private static void put(TarArchiveOutputStream t, TarArchiveEntry e, byte[] content)
      throws IOException {
    e.setSize(content.length);
    t.putArchiveEntry(e);
    t.write(content);
    t.closeArchiveEntry();
  }
}
