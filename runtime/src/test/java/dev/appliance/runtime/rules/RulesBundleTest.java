package dev.appliance.runtime.rules;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.InvalidInputException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Gathering and checking a rules bundle's files, and its reproducible tar. */
class RulesBundleTest {
  private static final String RULE =
      "alert http any any -> any any (msg:\"x\"; content:\"evil\"; sid:1000100; rev:1;)\n";

  @TempDir Path tmp;

  @Test
  void aDirectoryGivesItsRulesAndConfigFilesOnlyInATarThatIsTheSameEveryTime() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("bundle"));
    Files.writeString(dir.resolve("b.rules"), "# disabled\n# " + RULE + "\n" + RULE + RULE);
    Files.writeString(dir.resolve("a.rules"), RULE);
    Files.writeString(dir.resolve("threshold.config"), "suppress gen_id 1, sig_id 1000100\n");
    Files.writeString(dir.resolve("README.md"), "not part of the bundle");
    Files.createDirectories(dir.resolve("sub")).resolve("c.rules");
    Files.writeString(dir.resolve("sub/c.rules"), RULE);

    RulesBundle bundle = RulesBundle.read(List.of(dir));

    assertEquals(
        List.of("a.rules", "b.rules", "threshold.config"),
        bundle.files().stream().map(RulesFile::name).toList());
    assertEquals(3, bundle.ruleCount(), "comments and blank lines are not rules");
    byte[] tar = bundle.tar();
    assertArrayEquals(tar, RulesBundle.read(List.of(dir)).tar(), "reproducible");
    List<String> entries = new ArrayList<>();
    try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
      for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
        assertTrue(e.isFile(), e.getName());
        assertEquals(0, e.getModTime().getTime());
        assertEquals(0644, e.getMode() & 07777);
        entries.add(e.getName() + "=" + new String(in.readAllBytes(), StandardCharsets.UTF_8));
      }
    }
    assertEquals("a.rules=" + RULE, entries.get(0));
    assertEquals(3, entries.size());
  }

  @Test
  void refusesWhatASensorWouldRefuseNamingTheFile() throws Exception {
    Path bad = tmp.resolve("bad name.rules");
    Files.writeString(bad, RULE);
    assertRefused(List.of(bad), "bad name.rules: a rules bundle holds NAME.rules files");

    Path nul = tmp.resolve("nul.rules");
    Files.write(nul, (RULE + "alert ip any any -> any any (sid:1;\0)\n").getBytes());
    assertRefused(List.of(nul), "nul.rules:2: control character 0x0");

    Path latin1 = tmp.resolve("latin1.rules");
    Files.write(latin1, new byte[] {'#', ' ', (byte) 0xe9, '\n'});
    assertRefused(List.of(latin1), "latin1.rules: not UTF-8 text");

    Path good = tmp.resolve("good.rules");
    Files.writeString(good, RULE);
    Path other = Files.createDirectories(tmp.resolve("other")).resolve("good.rules");
    Files.writeString(other, RULE);
    assertRefused(List.of(good, other), "good.rules is already in the bundle, from " + good);

    Path config = tmp.resolve("classification.config");
    Files.writeString(config, "config classification: x,y,1\n");
    assertRefused(List.of(config), "needs at least one NAME.rules file");

    Path link = tmp.resolve("link.rules");
    Files.createSymbolicLink(link, good);
    assertRefused(List.of(link), "link.rules: not a regular file");

    Path big = tmp.resolve("big.rules");
    try (var out = Files.newOutputStream(big)) {
      byte[] line = RULE.getBytes(StandardCharsets.UTF_8);
      for (long written = 0; written <= RulesBundleFormat.MAX_TOTAL_BYTES; written += line.length) {
        out.write(line);
      }
    }
    assertRefused(List.of(big), "big.rules: larger than a rules bundle may be");
  }

  private static void assertRefused(List<Path> paths, String expected) throws IOException {
    InvalidInputException e =
        assertThrows(InvalidInputException.class, () -> RulesBundle.read(paths));
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
