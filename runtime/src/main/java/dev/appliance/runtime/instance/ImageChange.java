package dev.appliance.runtime.instance;

/**
 * One entry of an instance's image history, oldest first: what it ran and how the change went.
 *
 * @param at when, UTC to the second
 * @param image the reference as given
 * @param digest the image's manifest digest
 * @param dataVersion the image's data version (0: none declared)
 * @param outcome created, upgraded, upgrade-failed or rolled-back
 * @param message why an upgrade failed; null otherwise
 */
public record ImageChange(
    String at, String image, String digest, int dataVersion, String outcome, String message) {}
