package dev.appliance.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.oci.Manifest;
import dev.appliance.store.ImageStore;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The selector threads a push leaves behind (each waits in native code, which delays the JVM's
 * exit) end when stopped, and a later push in the same process still works.
 */
class HttpClientThreadsTest extends PlainRegistryTest {
  @Test
  void stopEndsTheSelectorThreadsAndLaterClientsStillWork() throws IOException {
    ImageStore local = ImageStore.open(dir.resolve("local"));
    Manifest manifest =
        TestImages.image(local, "small:1", List.of(TestImages.layer(local, 7, 20_000)));
    new ImagePusher(local, options(), TransferListener.NONE)
        .push("small:1", remote("threads/small:1"));
    assertTrue(selectorThreadsAlive(), "a push leaves its clients' selector threads running");

    HttpClientThreads.stop();

    assertFalse(selectorThreadsAlive(), "no selector thread is left after stop()");
    PullResult pulled =
        new ImagePuller(ImageStore.open(dir.resolve("other")), options(), TransferListener.NONE)
            .pull(remote("threads/small:1"));
    assertEquals(manifest.digest(), pulled.digest());
  }

  private static boolean selectorThreadsAlive() {
    return Thread.getAllStackTraces().keySet().stream()
        .anyMatch(t -> t.isAlive() && t.getName().matches("HttpClient-\\d+-SelectorManager"));
  }
}
