/**
 * The OCI image model as appliance reads and writes it; every value parsed from an image is checked
 * where it is read.
 *
 * <p>Public API: {@link dev.appliance.oci.Digest}, {@link dev.appliance.oci.Descriptor}, {@link
 * dev.appliance.oci.Manifest} and {@link dev.appliance.oci.ImageConfig} (keeping their exact
 * bytes), {@link dev.appliance.oci.MediaTypes}, {@link dev.appliance.oci.ImageReference} ({@code
 * [REGISTRY/]REPOSITORY[:TAG][@DIGEST]}), {@link dev.appliance.oci.ApplianceMetadata} (what an
 * appliance image says about itself) with its rules {@link dev.appliance.oci.MetadataRules} and
 * {@link dev.appliance.oci.KernelArguments}, and {@link dev.appliance.oci.DataFormat} (the data
 * version an appliance keeps on volumes and its upgrade hook).
 */
package dev.appliance.oci;
