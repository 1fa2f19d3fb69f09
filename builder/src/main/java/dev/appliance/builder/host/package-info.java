/**
 * What the builder needs from the host.
 *
 * <p>Public API: {@link dev.appliance.builder.host.BuilderHostChecks} (the builder's part of {@code
 * appliance doctor}).
 */
package dev.appliance.builder.host;
