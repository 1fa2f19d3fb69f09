package dev.appliance.registry;

import java.time.Duration;

/**
 * How often a registry request that failed for a transient reason (connection refused or reset, a
 * truncated response, HTTP 5xx) is tried, and how long to wait in between: {@code initialDelay},
 * then doubled each time.
 */
public record RetryPolicy(int attempts, Duration initialDelay) {
  /** Five attempts over about 15 s: rides out a registry restart. */
  public static final RetryPolicy DEFAULT = new RetryPolicy(5, Duration.ofSeconds(1));

  public RetryPolicy {
    if (attempts < 1) {
      throw new IllegalArgumentException("attempts must be at least 1");
    }
  }

  Duration delayBefore(int attempt) {
    return initialDelay.multipliedBy(1L << Math.min(attempt - 2, 20));
  }
}
