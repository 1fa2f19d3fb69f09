package dev.appliance.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.Set;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;

/** Main builds the model of the subcommand a command line names, and of all when it needs them. */
class MainTest {
  @Test
  void aNamedSubcommandIsTheOnlyOneBuilt() {
    assertEquals(
        Set.of("ps"), Main.commandLine(new String[] {"ps", "--json"}).getSubcommands().keySet());
    assertEquals(
        Set.of("volume"),
        Main.commandLine(new String[] {"volume", "ls"}).getSubcommands().keySet());
    assertEquals(Set.of(), Main.commandLine(new String[] {"--version"}).getSubcommands().keySet());
  }

  @Test
  void everySubcommandIsFoundByItsName() {
    for (Class<?> command : ApplianceCommand.SUBCOMMANDS) {
      String name = command.getAnnotation(Command.class).name();
      if (command != HelpCommand.class) {
        assertEquals(command, Main.subcommandNamed(name), name + " is " + command.getSimpleName());
      }
    }
    assertNull(Main.subcommandNamed("Ps"), "a name is matched exactly");
    assertNull(Main.subcommandNamed("help"), "help takes every subcommand");
  }

  @Test
  void usageHelpAndTyposGetEverySubcommand() {
    int all = ApplianceCommand.SUBCOMMANDS.size();
    assertEquals(all, Main.commandLine(new String[] {}).getSubcommands().size());
    assertEquals(all, Main.commandLine(new String[] {"--help"}).getSubcommands().size());
    assertEquals(all, Main.commandLine(new String[] {"help", "run"}).getSubcommands().size());
    assertEquals(all, Main.commandLine(new String[] {"pss"}).getSubcommands().size());
  }

  @Test
  void aTypoStillGetsItsSuggestion() {
    CommandLine cli = Main.commandLine(new String[] {"imagse"});
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err));
    assertEquals(2, cli.execute("imagse"));
    assertTrue(err.toString().contains("images"), err.toString());
  }
}
