/**
 * The one registry client: every call to an OCI distribution registry (push, pull, blob mounts, tag
 * lists) on the JDK's {@code java.net.http} client, with one auth flow (Basic, Bearer tokens,
 * docker config and credential helpers) and typed errors.
 *
 * <p>Public API: {@link dev.appliance.registry.ImagePusher} and {@link
 * dev.appliance.registry.ImagePuller} (between a registry and the local store), their results
 * {@link dev.appliance.registry.PushResult} and {@link dev.appliance.registry.PullResult}, {@link
 * dev.appliance.registry.RegistryOptions} (TLS, credentials, {@link
 * dev.appliance.registry.RetryPolicy}), {@link dev.appliance.registry.RegistryCredential} and
 * {@link dev.appliance.registry.TransferListener} (progress) and {@link
 * dev.appliance.registry.RegistryAccessException} (a registry not usable on the options' terms: TLS
 * trust, plain HTTP, credentials).
 */
package dev.appliance.registry;
