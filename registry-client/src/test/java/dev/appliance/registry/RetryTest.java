package dev.appliance.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.ApplianceException;
import java.io.IOException;
import java.net.SocketException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The retry rules on their own. Real registries cannot be made to answer 5xx on demand here, so
 * these steps fail the way the transports report it.
 */
class RetryTest {
  private final RecordingListener listener = new RecordingListener();
  private final Retry retry = new Retry(new RetryPolicy(4, Duration.ofMillis(10)), listener);

  @Test
  void serverErrorsAndResetsAreRetriedWithGrowingDelays() {
    AtomicInteger calls = new AtomicInteger();
    String result =
        retry.run(
            "uploading blob",
            () -> {
              switch (calls.incrementAndGet()) {
                case 1 -> throw RegistryException.forStatus(503, "HTTP 503");
                case 2 -> throw new SocketException("Connection reset");
                default -> {
                  return "done";
                }
              }
            });
    assertEquals("done", result);
    assertEquals(3, calls.get());
    assertEquals(2, listener.stages.size());
    assertTrue(listener.stages.get(0).contains("retrying in 10 ms"), listener.stages.get(0));
    assertTrue(listener.stages.get(1).contains("retrying in 20 ms"), listener.stages.get(1));
  }

  @Test
  void clientErrorsFailAtOnce() {
    AtomicInteger calls = new AtomicInteger();
    ApplianceException e =
        assertThrows(
            ApplianceException.class,
            () ->
                retry.run(
                    "fetching",
                    () -> {
                      calls.incrementAndGet();
                      throw RegistryException.forStatus(400, "HTTP 400 bad request");
                    }));
    assertEquals(1, calls.get());
    assertTrue(e.getMessage().startsWith("fetching failed: HTTP 400"), e.getMessage());
  }

  @Test
  void anUnknownHostFailsAtOnce() {
    AtomicInteger calls = new AtomicInteger();
    assertThrows(
        ApplianceException.class,
        () ->
            retry.run(
                "connecting",
                () -> {
                  calls.incrementAndGet();
                  throw new java.net.UnknownHostException("registry.invalid");
                }));
    assertEquals(1, calls.get());
  }

  @Test
  void givesUpAfterTheLastAttempt() {
    AtomicInteger calls = new AtomicInteger();
    ApplianceException e =
        assertThrows(
            ApplianceException.class,
            () ->
                retry.run(
                    "connecting",
                    () -> {
                      calls.incrementAndGet();
                      throw new IOException("Connection refused");
                    }));
    assertEquals(4, calls.get());
    assertTrue(e.getMessage().contains("Connection refused"), e.getMessage());
  }
}
