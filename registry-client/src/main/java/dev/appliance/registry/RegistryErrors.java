package dev.appliance.registry;

import com.google.cloud.tools.jib.api.InsecureRegistryException;
import com.google.cloud.tools.jib.api.RegistryAuthenticationFailedException;
import com.google.cloud.tools.jib.api.RegistryUnauthorizedException;
import com.google.cloud.tools.jib.http.ResponseException;
import dev.appliance.common.ApplianceException;
import dev.appliance.common.InvalidInputException;

/** Turns transport exceptions into one clear line for the user. */
final class RegistryErrors {
    private RegistryErrors() {}

    static RuntimeException describe(String what, Exception e) {
        if (e instanceof ApplianceException || e instanceof InvalidInputException) {
            return (RuntimeException) e;
        }
        return new ApplianceException(what + " failed: " + reason(e), e);
    }

    /** A short reason without credentials (Jib's messages hold none; ours neither). */
    static String reason(Throwable e) {
        if (e instanceof RegistryUnauthorizedException u) {
            return "authentication failed or access denied (HTTP " + u.getHttpResponseException().getStatusCode()
                    + "): check the credentials (docker config, credential helper, or --username/--password-stdin)";
        }
        if (e instanceof RegistryAuthenticationFailedException) {
            return "could not obtain a registry token: " + e.getMessage();
        }
        if (e instanceof InsecureRegistryException) {
            return "TLS failure: " + (e.getCause() == null ? e.getMessage() : e.getCause().getMessage());
        }
        if (e instanceof ResponseException r) {
            return "HTTP " + r.getStatusCode() + " from the registry";
        }
        String message = e.getMessage();
        String type = e.getClass().getSimpleName();
        if (message == null || message.isBlank()) {
            return e.getCause() != null && e.getCause() != e ? reason(e.getCause()) : type;
        }
        return e instanceof java.io.IOException && !(e instanceof HttpStatusException) ? type + ": " + message : message;
    }
}
