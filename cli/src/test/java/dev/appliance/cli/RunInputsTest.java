package dev.appliance.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.InvalidInputException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunInputsTest {
  @Test
  void secretsComeFromFilesOrStdinNeverTheCommandLine(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("pw");
    Files.writeString(file, "from-file\n");
    Map<String, byte[]> secrets =
        RunInputs.secrets(
            List.of("a=@" + file, "b=-"),
            new ByteArrayInputStream("from-stdin\n".getBytes(StandardCharsets.UTF_8)));
    assertArrayEquals("from-file".getBytes(StandardCharsets.UTF_8), secrets.get("a"));
    assertArrayEquals("from-stdin".getBytes(StandardCharsets.UTF_8), secrets.get("b"));
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () -> RunInputs.secrets(List.of("a=hunter2"), InputStreamNull.INSTANCE));
    assertFalse(e.getMessage().contains("hunter2"), "the error must not echo the secret");
    assertThrows(
        InvalidInputException.class,
        () -> RunInputs.secrets(List.of("a=@" + dir.resolve("missing")), InputStreamNull.INSTANCE));
  }

  @Test
  void params() {
    assertEquals(Map.of("k", "v=w"), RunInputs.params(List.of("k=v=w")));
    assertThrows(InvalidInputException.class, () -> RunInputs.params(List.of("novalue")));
  }

  @Test
  void paramFilesCarryAWholeFileVerbatim(@TempDir Path dir) throws IOException {
    String rules = "# local\nalert tcp any any -> any 80 (msg:\"x\"; content:\"a=b\"; sid:1;)\n";
    Path file = Files.writeString(dir.resolve("my.rules"), rules);
    Map<String, String> params =
        RunInputs.params(List.of("home_net=[10.0.0.0/8]"), List.of("rules=" + file));
    assertEquals(Map.of("home_net", "[10.0.0.0/8]", "rules", rules), params);

    InvalidInputException twice =
        assertThrows(
            InvalidInputException.class,
            () -> RunInputs.params(List.of("rules=x"), List.of("rules=" + file)));
    assertTrue(twice.getMessage().contains("rules"), twice.getMessage());
    InvalidInputException missing =
        assertThrows(
            InvalidInputException.class,
            () -> RunInputs.params(List.of(), List.of("rules=" + dir.resolve("nope.rules"))));
    assertTrue(
        missing.getMessage().contains("nope.rules")
            && missing.getMessage().contains("no such file"),
        missing.getMessage());
    assertThrows(InvalidInputException.class, () -> RunInputs.params(List.of(), List.of("rules=")));
    assertThrows(
        InvalidInputException.class, () -> RunInputs.params(List.of(), List.of(file.toString())));

    Path binary = Files.write(dir.resolve("binary"), new byte[] {(byte) 0xff, (byte) 0xfe, 0});
    InvalidInputException notText =
        assertThrows(
            InvalidInputException.class,
            () -> RunInputs.params(List.of(), List.of("rules=" + binary)));
    assertTrue(notText.getMessage().contains("UTF-8"), notText.getMessage());
  }

  /** An empty standard input. */
  private static final class InputStreamNull {
    static final ByteArrayInputStream INSTANCE = new ByteArrayInputStream(new byte[0]);
  }
}
