package dev.appliance.registry;

import dev.appliance.common.ApplianceException;
import java.io.IOException;
import java.net.UnknownHostException;
import java.time.Duration;
import javax.net.ssl.SSLException;

/**
 * Runs one registry step again when it failed for a transient reason: an I/O error (connection
 * refused or reset, truncated response) or a {@link RegistryException.ServerErrorException} (HTTP
 * 5xx/429). Other failures (the other {@link RegistryException}s, digest mismatch, TLS trust) fail
 * at once.
 */
final class Retry {
  /** A registry step. */
  interface Step<T> {
    T run() throws Exception;
  }

  private final RetryPolicy policy;
  private final TransferListener listener;

  Retry(RetryPolicy policy, TransferListener listener) {
    this.policy = policy;
    this.listener = listener;
  }

  /** Runs {@code step}; {@code what} names it in progress and error messages. */
  <T> T run(String what, Step<T> step) {
    for (int attempt = 1; ; attempt++) {
      try {
        return step.run();
      } catch (Exception e) {
        // An interrupt means the transfer was cancelled (another blob failed): no retry.
        if (Thread.currentThread().isInterrupted()
            || !isTransient(e)
            || attempt >= policy.attempts()) {
          throw RegistryErrors.describe(what, e);
        }
        Duration delay = policy.delayBefore(attempt + 1);
        listener.stage(
            what
                + " failed ("
                + RegistryErrors.reason(e)
                + "), retrying in "
                + delay.toMillis()
                + " ms (attempt "
                + (attempt + 1)
                + " of "
                + policy.attempts()
                + ")");
        sleep(delay);
      }
    }
  }

  static boolean isTransient(Throwable e) {
    if (e instanceof RegistryException) {
      return e instanceof RegistryException.ServerErrorException;
    }
    if (e instanceof SSLException || e instanceof UnknownHostException) {
      return false; // a certificate or a misspelt host name does not get better by waiting
    }
    // Connection refused or reset, a timeout, a response cut short.
    return e instanceof IOException;
  }

  private static void sleep(Duration delay) {
    try {
      Thread.sleep(delay.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ApplianceException("interrupted", e);
    }
  }
}
