/**
 * Public API of verification policy in containers-policy.json format (the files skopeo and podman
 * read): {@link dev.appliance.signing.policy.PolicyFiles} finds the file, {@link
 * dev.appliance.signing.policy.TrustPolicy} parses it, {@link
 * dev.appliance.signing.policy.PolicyEvaluator} decides about one image.
 */
package dev.appliance.signing.policy;
