package dev.appliance.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.appliance.e2e.support.ApplianceCli;
import dev.appliance.e2e.support.CliResult;
import dev.appliance.e2e.support.EndToEnd;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * {@code appliance verify --rebuild} end to end on a small minbase recipe in a git repository of
 * its own: locked and committed, built, then rebuilt from the commit the image records (exit 0,
 * every layer identical); rebuilt from the work tree with a changed file (exit 1, naming the layer
 * and the file); and bad input (exit 2). Real mmdebstrap and the host's Debian mirror, as root.
 * LampReproducibilityTest runs it on LAMP and snort.
 */
@EndToEnd
@Tag("slow")
class VerifyRebuildTest {
  private static final Duration BUILD = Duration.ofMinutes(20);

  @Test
  void aRebuildFromTheRecordedCommitIsIdenticalAndAChangedFileIsNamed() throws Exception {
    ApplianceCli cli = ApplianceCli.forTest("verify-rebuild");
    Path repo = cli.home().resolveSibling("repo");
    Path recipe = repo.resolve("demo/demo.yaml");
    Files.createDirectories(recipe.resolveSibling("files"));
    Files.writeString(
        recipe,
        """
        name: demo
        version: "1"
        base:
          distribution: debian
          suite: trixie
          variant: minbase
        files:
          - source: files/motd
            dest: /etc/demo/motd
            mode: "0644"
        """);
    Path motd = recipe.resolveSibling("files/motd");
    Files.writeString(motd, "committed\n");
    String commit;
    try (Git git = Git.init().setDirectory(repo.toFile()).call()) {
      cli.run(BUILD, "lock", recipe.toString()).assertSuccess();
      git.add().addFilepattern(".").call();
      commit =
          git.commit()
              .setMessage("demo")
              .setAuthor("t", "t@example")
              .setCommitter("t", "t@example")
              .setSign(false)
              .call()
              .name();
    }
    String digest = cli.run(BUILD, "build", recipe.toString()).assertSuccess().digestOf("demo:1");

    CliResult same =
        cli.run(BUILD, "verify", "--rebuild", "demo:1", "--recipe", recipe.toString())
            .assertSuccess();
    assertTrue(same.stdout().contains("from commit " + commit), same.stdout());
    assertTrue(same.stdout().contains("identical: " + digest), same.stdout());
    assertTrue(
        same.stdout()
            .lines()
            .filter(l -> l.startsWith("layer "))
            .allMatch(l -> l.contains("identical")),
        same.stdout());
    assertEquals(
        digest,
        new ObjectMapper()
            .readTree(cli.run("inspect", "--json", "demo:1").assertSuccess().stdout())
            .get("digest")
            .asText(),
        "the rebuild leaves the image's tag alone");

    Files.writeString(motd, "changed after the build\n");
    CliResult differs =
        cli.run(
                BUILD,
                "verify",
                "--rebuild",
                "demo:1",
                "--recipe-dir",
                recipe.getParent().toString())
            .assertExit(1);
    assertTrue(differs.stdout().contains("M /etc/demo/motd  (content)"), differs.stdout());
    assertTrue(
        differs.stdout().lines().anyMatch(l -> l.contains("files demo") && l.contains("DIFFERS")),
        differs.stdout());
    assertTrue(
        differs
            .stdout()
            .lines()
            .anyMatch(l -> l.contains("base debian-trixie") && l.contains("identical")),
        "the base layer is still reproduced:\n" + differs.stdout());
    assertTrue(differs.stdout().contains("different: " + digest), differs.stdout());

    CliResult neither = cli.run("verify", "--rebuild", "demo:1").assertExit(2);
    assertTrue(neither.stderr().contains("--recipe RECIPE or --recipe-dir DIR"), neither.stderr());
    CliResult unknown =
        cli.run(
                "verify",
                "--rebuild",
                "nothing:here",
                "--recipe-dir",
                recipe.getParent().toString())
            .assertExit(2);
    assertTrue(
        unknown.stderr().contains("'nothing:here' is not in the local store"), unknown.stderr());
  }
}
