/**
 * Host ports forwarded into guests.
 *
 * <p>Public API: {@link dev.appliance.runtime.net.PortMapping} (one {@code -p} request), {@link
 * dev.appliance.runtime.net.PortAllocator} (turns requests into free host ports on 127.0.0.1 unless
 * asked otherwise) and {@link dev.appliance.runtime.net.PublishedPort}.
 */
package dev.appliance.runtime.net;
