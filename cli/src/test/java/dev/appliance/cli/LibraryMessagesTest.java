package dev.appliance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Libraries report problems in their own terms (a {@code Remedy} where the caller could change
 * something); only this CLI spells its options. Checks every string literal of the library modules'
 * sources (messages, hints, constants) for one of this CLI's options.
 */
class LibraryMessagesTest {
  private static final List<String> LIBRARIES =
      List.of("core", "registry-client", "signing", "builder", "runtime");

  /**
   * Literals that hold an option of the CLI for another reason: the history entry an exported image
   * records (the command that made the layer), and a script running sfdisk with its own --quiet.
   */
  private static final Set<String> NOT_MESSAGES =
      Set.of(
          "appliance export --kubevirt",
          "exec \\\"$0\\\" --quiet --no-reread --no-tell-kernel \\\"$1\\\" < \\\"$2\\\"");

  private static final Pattern LITERAL = Pattern.compile("\"((?:[^\"\\\\\\n]|\\\\.)*)\"");

  @Test
  void noLibraryStringNamesAnOptionOfTheCli() throws IOException {
    Set<String> options = new TreeSet<>();
    collectOptions(Main.commandLine(), options);
    assertTrue(options.contains("--max-disk-size"), "the CLI's options were found: " + options);
    List<String> found = new ArrayList<>();
    int literals = 0;
    for (String module : LIBRARIES) {
      try (Stream<Path> files = Files.walk(Path.of("..", module, "src", "main", "java"))) {
        for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().toList()) {
          String source = Files.readString(file);
          Matcher literal = LITERAL.matcher(source);
          while (literal.find()) {
            literals++;
            String text = literal.group(1);
            // A literal starting with an option is an argument of a host tool (mmdebstrap...).
            if (text.startsWith("--") || NOT_MESSAGES.contains(text)) {
              continue;
            }
            for (String option : options) {
              if (Pattern.compile("(^|[^\\w-])" + Pattern.quote(option) + "(?![\\w-])")
                  .matcher(text)
                  .find()) {
                found.add(file + ":" + line(source, literal.start()) + " names " + option);
              }
            }
          }
        }
      }
    }
    assertTrue(literals > 1000, "the scan saw the sources: " + literals);
    assertEquals(List.of(), found, "give the exception a Remedy and render it in RemedyText");
  }

  private static long line(String source, int offset) {
    return source.substring(0, offset).chars().filter(c -> c == '\n').count() + 1;
  }

  private static void collectOptions(CommandLine command, Set<String> options) {
    command.getCommandSpec().options().stream()
        .flatMap(o -> Stream.of(o.names()))
        .filter(
            name -> name.startsWith("--") && !name.equals("--help") && !name.equals("--version"))
        .forEach(options::add);
    command.getSubcommands().values().forEach(sub -> collectOptions(sub, options));
  }
}
