/**
 * Internals of signing, not API: cosign's encrypted-key JSON, NaCl secretbox over Bouncy Castle,
 * PEM, the simple-signing payload, docker name normalization.
 */
package dev.appliance.signing.internal;
