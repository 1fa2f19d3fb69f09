package dev.appliance.registry;

import com.google.cloud.tools.jib.http.ResponseException;
import dev.appliance.common.ApplianceException;

import javax.net.ssl.SSLException;
import java.io.IOException;
import java.net.UnknownHostException;
import java.time.Duration;

/**
 * Runs one registry step again when it failed for a transient reason: an I/O
 * error (connection refused or reset, truncated response) or HTTP 5xx/429. Other
 * failures (authentication, not found, digest mismatch, TLS trust) fail at once.
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
                if (Thread.currentThread().isInterrupted() || !isTransient(e) || attempt >= policy.attempts()) {
                    throw RegistryErrors.describe(what, e);
                }
                Duration delay = policy.delayBefore(attempt + 1);
                listener.stage(what + " failed (" + RegistryErrors.reason(e) + "), retrying in "
                        + delay.toMillis() + " ms (attempt " + (attempt + 1) + " of " + policy.attempts() + ")");
                sleep(delay);
            }
        }
    }

    static boolean isTransient(Throwable e) {
        if (e instanceof ResponseException r) {
            return r.getStatusCode() >= 500 || r.getStatusCode() == 429;
        }
        if (e instanceof HttpStatusException h) {
            return h.status() >= 500 || h.status() == 429;
        }
        if (e instanceof SSLException || e instanceof UnknownHostException) {
            return false; // a certificate or a misspelt host name does not get better by waiting
        }
        if (e instanceof IOException) {
            return true;
        }
        // Jib wraps transport failures of blob transfers in unchecked or registry exceptions.
        Throwable cause = e.getCause();
        return cause != null && cause != e && !(e instanceof ApplianceException) && isTransient(cause);
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
