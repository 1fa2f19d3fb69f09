package dev.appliance.registry;

import java.io.IOException;

/** A registry answered with an HTTP error status; 5xx and 429 are worth retrying. */
final class HttpStatusException extends IOException {
    private final int status;

    HttpStatusException(int status, String message) {
        super(message);
        this.status = status;
    }

    int status() {
        return status;
    }
}
