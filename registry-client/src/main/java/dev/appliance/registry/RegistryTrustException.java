package dev.appliance.registry;

import dev.appliance.common.ApplianceException;

/**
 * A registry could not be reached on the terms the options allow: its certificate
 * is not trusted, or it speaks only plain HTTP. {@link #remedy()} says which option
 * of {@link RegistryOptions} would change that, so a caller can name its own spelling
 * of it.
 */
public final class RegistryTrustException extends ApplianceException {
    /** What would let the connection through. */
    public enum Remedy {
        /** Trust the CA that signed the certificate ({@link RegistryOptions#caCert()}), or skip verification. */
        TRUST_CA,
        /** Allow plain HTTP to a registry that is not on loopback ({@link RegistryOptions#insecure()}). */
        ALLOW_PLAIN_HTTP
    }

    private final Remedy remedy;

    RegistryTrustException(Remedy remedy, String message) {
        super(message);
        this.remedy = remedy;
    }

    public Remedy remedy() {
        return remedy;
    }
}
