/**
 * IDS rules bundles: rule files gathered and checked ({@link
 * dev.appliance.runtime.rules.RulesBundle}, {@link dev.appliance.runtime.rules.RulesFile}) and
 * pushed as an OCI 1.1 artifact ({@link dev.appliance.runtime.rules.RulesBundlePush}, in the format
 * {@link dev.appliance.runtime.rules.RulesBundleFormat} describes), which the snort appliance's
 * {@code appliance-ids-rules} reads (recipes/snort/README.md).
 *
 * <p>Public API: the four classes above.
 */
package dev.appliance.runtime.rules;
