package dev.appliance.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Set;

/**
 * Initialises Jackson on a daemon thread while the main thread builds picocli's model, for the
 * commands that always read JSON early. Jackson's first ObjectMapper costs 50 ms of class
 * initialisation (StdDateFormat's SimpleDateFormat loads the CLDR locale data and the calendar): on
 * the second core it overlaps picocli instead of following it. For a command that reads no JSON the
 * thread only competes with the main one (+30 ms for {@code --version}), hence the list
 * (bench/README.md, session 14). The JVM's class-initialisation lock makes whichever thread comes
 * second wait for the first, so nothing is initialised twice; the exit does not wait for a daemon
 * thread.
 */
final class JacksonWarmUp implements Runnable {
  /**
   * Commands whose first steps parse or write JSON: manifests, the store's index, instance.json.
   */
  private static final Set<String> COMMANDS =
      Set.of("pull", "push", "run", "start", "images", "inspect", "upgrade", "verify");

  private JacksonWarmUp() {}

  @Override
  public void run() {
    new ObjectMapper();
  }

  static void startFor(String[] arguments) {
    if (arguments.length > 0 && COMMANDS.contains(arguments[0])) {
      // Not a lambda or method reference: their first bootstrap costs the main thread 15 ms.
      Thread thread = new Thread(new JacksonWarmUp(), "jackson-warm-up");
      thread.setDaemon(true);
      thread.start();
    }
  }
}
