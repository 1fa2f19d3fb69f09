/**
 * Feeding an appliance's capture interfaces (recipe {@code networks:} with role capture): a pcap
 * file replayed, or a live host interface mirrored, into the interface's own point-to-point VDE
 * socket; frames the guest sends out of it are counted and dropped, never delivered.
 */
package dev.appliance.runtime.capture;
