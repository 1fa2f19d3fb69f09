/**
 * The {@code appliance} command line: picocli commands that translate options into typed calls of
 * the other modules, and print their results; no business logic.
 *
 * <p>Public API: {@link dev.appliance.cli.Main} (the entry point) and {@link
 * dev.appliance.cli.ApplianceCommand} (the top-level command); everything else is internal to the
 * command line.
 */
package dev.appliance.cli;
