package dev.appliance.runtime.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.runtime.disk.HostTool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The guest's user-data reader (recipes/base/files/appliance-userdata), run here with the host's sh
 * and awk on documents an attacker could put in a cloud-init seed. {@link ExportBootTest} runs it
 * inside a booted appliance.
 */
class UserDataScriptTest {
  private static final Path SCRIPT =
      Path.of("../recipes/base/files/appliance-userdata").toAbsolutePath().normalize();

  @TempDir Path tmp;

  private HostTool.Result run(String document) throws IOException {
    Path file = Files.writeString(tmp.resolve("user-data"), document);
    return HostTool.runAllowingFailure(
        List.of(
            "sh", SCRIPT.toString(), file.toString(), "seed cidata:user-data", run().toString()),
        tmp,
        Map.of());
  }

  private Path run() {
    return tmp.resolve("run");
  }

  @Test
  void paramsAndSecretsLandLikeTheConfigDisksWithSecretsRootOnly() throws IOException {
    HostTool.Result result =
        run(
            "#appliance-params\r\n# a comment\nparams:\n  greeting: hello world\n"
                + "  port: \"8080\"\nsecrets:\n  db_password: 'pa ss#word'\n");
    assertEquals(0, result.exitCode(), result.stderr());
    assertEquals("hello world", Files.readString(run().resolve("params/greeting")));
    assertEquals("8080", Files.readString(run().resolve("params/port")));
    Path secret = run().resolve("secrets/db_password");
    assertEquals("pa ss#word", Files.readString(secret));
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(secret)));
    assertEquals(
        "rwx------",
        PosixFilePermissions.toString(Files.getPosixFilePermissions(run().resolve("secrets"))));
    assertFalse(result.stdout().contains("pa ss#word") || result.stderr().contains("pa ss#word"));
    assertTrue(result.stdout().contains("2 parameter(s) and 1 secret(s)"), result.stdout());
  }

  @Test
  void otherUserDataIsLeftAlone() throws IOException {
    HostTool.Result result = run("#cloud-config\nusers: []\n");
    assertEquals(0, result.exitCode());
    assertTrue(result.stdout().contains("not an #appliance-params document"), result.stdout());
    assertEquals(List.of(), written());
  }

  @Test
  void aBadLineRejectsTheWholeDocumentNamingTheLineNotTheValue() throws IOException {
    for (String[] bad :
        new String[][] {
          {"params:\n  ok: 1\n  ../../etc/passwd: x\n", "line 4: bad parameter name"},
          {"params:\n  Upper: x\n", "line 3: bad parameter name"},
          {"secrets:\n  key: |\n    hidden-secret\n", "line 3: value of key: only plain"},
          {"secrets:\n  key: hidden\u0001secret\n", "line 3: control character"},
          {"params:\n  a: 1\n  a: 2\n", "line 4: a given twice"},
          {"hostname: evil\n", "line 2: expected \"params:\" or \"secrets:\""},
          {"  a: 1\n", "line 2: an entry outside"},
          {"params:\n  a:1\n", "line 3: expected a space"},
          {"secrets:\n  key: " + "x".repeat(65537) + "\n", "line 3: value of key is over 65536"},
        }) {
      HostTool.Result result = run("#appliance-params\n" + bad[0]);
      assertEquals(1, result.exitCode(), bad[0]);
      assertTrue(result.stderr().contains(bad[1]), bad[1] + " in " + result.stderr());
      assertFalse(result.stderr().contains("hidden"), "no value in the message");
      assertEquals(List.of(), written(), "nothing applied for " + bad[0]);
    }
  }

  @Test
  void anOversizedDocumentIsRefusedBeforeItIsRead() throws IOException {
    HostTool.Result result =
        run("#appliance-params\nparams:\n" + "  a: 1\n".repeat(262144 / 7 + 1));
    assertEquals(1, result.exitCode());
    assertTrue(result.stderr().contains("over 262144"), result.stderr());
    assertEquals(List.of(), written());
  }

  /** Files under the run directory, the temporary parse directory included. */
  private List<Path> written() throws IOException {
    if (!Files.exists(run())) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(run())) {
      return files.filter(Files::isRegularFile).toList();
    }
  }
}
