package dev.appliance.registry;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Ends the JDK HTTP clients' selector threads when a process has finished with the registry.
 *
 * <p>Each {@link java.net.http.HttpClient} keeps a selector thread waiting in a native epoll call,
 * and HotSpot's exit waits up to 300 ms for threads in native code to come back (its {@code
 * VM_Exit::wait_for_threads_in_native_to_block}): every command that had talked to a registry ended
 * a third of a second after its work was done, a third of the time skopeo takes to copy the LAMP
 * image. JDK 17's client has no {@code close()} (JDK 21's has); an interrupted selector thread
 * closes its client's connections and ends. The threads are found by the name the JDK gives them;
 * should that name ever change, nothing matches and the exit is only slower again.
 */
public final class HttpClientThreads {
  private static final Pattern SELECTOR = Pattern.compile("HttpClient-\\d+-SelectorManager");
  private static final long JOIN_MILLIS = 200;

  private HttpClientThreads() {}

  /**
   * Stops every HTTP client's selector thread and waits (briefly) until they have ended. Call it
   * only once nothing in the process sends another request: a stopped client fails every later
   * exchange.
   */
  public static void stop() {
    List<Thread> stopped = new ArrayList<>();
    for (Thread thread : Thread.getAllStackTraces().keySet()) {
      if (SELECTOR.matcher(thread.getName()).matches()) {
        thread.interrupt();
        stopped.add(thread);
      }
    }
    long deadline = System.nanoTime() + JOIN_MILLIS * 1_000_000;
    try {
      for (Thread thread : stopped) {
        long left = (deadline - System.nanoTime()) / 1_000_000;
        if (left > 0) {
          thread.join(left);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
