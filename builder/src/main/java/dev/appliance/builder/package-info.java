/**
 * Building appliance images from recipes into the local store; never talks to a registry.
 *
 * <p>Public API: {@link dev.appliance.builder.ImageBuilder} ({@code appliance build}) with {@link
 * dev.appliance.builder.BuildOptions}, {@link dev.appliance.builder.BuildResult} and {@link
 * dev.appliance.builder.BuildListener}, {@link dev.appliance.builder.BuildRemedy} (what a refused
 * build's caller could change); {@link dev.appliance.builder.RecipeSource} and {@link
 * dev.appliance.builder.GitSource} (where a recipe comes from), {@link
 * dev.appliance.builder.LockFile} (pinned package versions), {@link
 * dev.appliance.builder.Inspector} and {@link dev.appliance.builder.ImageDiff} ({@code appliance
 * inspect} and {@code diff}), {@link dev.appliance.builder.LayerWriter} and {@link
 * dev.appliance.builder.LayerBlob} (reproducible layers), {@link
 * dev.appliance.builder.UserNamespace} (rootless builds) and {@link
 * dev.appliance.builder.AptSources} (the host's apt configuration).
 */
package dev.appliance.builder;
