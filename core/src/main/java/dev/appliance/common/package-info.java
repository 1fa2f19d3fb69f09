/**
 * Helpers shared by every module, with no network and no image format.
 *
 * <p>Public API: {@link dev.appliance.common.ApplianceDirs} (where appliance keeps data, state and
 * caches), {@link dev.appliance.common.InvalidInputException} (bad input, exit code 2) and {@link
 * dev.appliance.common.ApplianceException} (any other failure), {@link dev.appliance.common.Remedy}
 * (what a caller could change, which a front end names in its own terms), {@link
 * dev.appliance.common.FileLocks} (file locks across processes and threads), {@link
 * dev.appliance.common.FileNames} and {@link dev.appliance.common.FileNameWriter} (file names as
 * the bytes Linux stores), {@link dev.appliance.common.HostTools} and {@link
 * dev.appliance.common.HostCheck} (facts and findings for {@code appliance doctor}), {@link
 * dev.appliance.common.Rerun} and {@link dev.appliance.common.Utf8Locale} (running this process
 * again, with a UTF-8 locale).
 */
package dev.appliance.common;
