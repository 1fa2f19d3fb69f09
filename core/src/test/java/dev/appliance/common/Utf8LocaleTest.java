package dev.appliance.common;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

class Utf8LocaleTest {
  @Test
  void withoutAUtf8LocaleTheProgramRerunsItselfUnderOneWithItsArgumentsIntact() throws Exception {
    String accented = "recipes/Főtanúsítvány 日本 🦊.yaml";
    ProcessBuilder pb =
        new ProcessBuilder(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp",
            System.getProperty("java.class.path"),
            Utf8LocaleMain.class.getName(),
            "build",
            accented,
            "");
    pb.environment().keySet().removeIf(k -> k.startsWith("LC_") || k.equals("LANG"));
    pb.environment().put("LC_ALL", "C");
    Process p = pb.redirectErrorStream(true).start();
    List<String> lines =
        new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
    assertEquals(3, p.waitFor(), "the re-run's exit code is the program's: " + lines);
    assertEquals(List.of("UTF-8", hex("build"), hex(accented), ""), lines);
  }

  @Test
  void theRerunTakesItsArgumentsFromTheVariableOnlyWhenItsParentSetIt() {
    String[] given = {"build", "?"};
    String variable = "42:3:" + hex("build") + ",72e9,";
    assertArrayEquals(
        new String[] {"build", "r\uDCE9", ""}, Utf8Locale.arguments(given, variable, 42));
    assertArrayEquals(
        given, Utf8Locale.arguments(given, variable, 43), "another process's variable");
    assertArrayEquals(given, Utf8Locale.arguments(given, null, 42));
    assertArrayEquals(new String[0], Utf8Locale.arguments(given, "42:0:", 42));
    assertArrayEquals(new String[] {""}, Utf8Locale.arguments(given, "42:1:", 42));
  }

  private static String hex(String s) {
    return HexFormat.of().formatHex(s.getBytes(StandardCharsets.UTF_8));
  }
}
