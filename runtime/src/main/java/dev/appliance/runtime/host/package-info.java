/**
 * What the runtime can do on this host.
 *
 * <p>Public API: {@link dev.appliance.runtime.host.RuntimeHostChecks} (each engine usable or not
 * and why, for {@code appliance doctor}) and {@link dev.appliance.runtime.host.KvmProbe} (does a
 * KVM guest really run here); {@link dev.appliance.runtime.host.RunRemedy} (what the caller of a
 * refused run could change).
 */
package dev.appliance.runtime.host;
