/**
 * Harness for the end-to-end suites: they drive the real, packaged CLI against real parts, as users
 * do.
 *
 * <ul>
 *   <li>{@link dev.appliance.e2e.support.ApplianceCli} runs {@code cli/target/appliance.jar}
 *       (packaged by the reactor before this module) as a process with its own {@code
 *       APPLIANCE_HOME} under {@code tests/target/e2e/NAME/}, a timeout per step, each step's
 *       stdout/stderr kept in {@code steps/} and its timing printed on stderr ({@code [e2e] step
 *       03: appliance build ... -> exit 0 in 41.2 s}).
 *   <li>{@link dev.appliance.e2e.support.LocalRegistry} starts Debian's {@code docker-registry} on
 *       a free 127.0.0.1 port with its own storage, optionally with basic auth and TLS.
 *   <li>{@link dev.appliance.e2e.support.SharedAppliance}: the LAMP and snort appliances, built
 *       once per run from the repository's recipes and committed lock files and shared by every
 *       suite. A suite needing one never builds it itself:
 *       <pre>
 * ApplianceCli cli = ApplianceCli.forTest("my-suite");
 * String digest = SharedAppliance.LAMP.build().copyInto(cli); // lamp:1.1.0 in cli's own store
 * </pre>
 *       {@code build()} builds at most once per run (a file lock and a record under {@code
 *       target/e2e/shared/}, keyed by the jar and the recipes, so it holds across forked JVMs and
 *       suites run one at a time); {@code copyInto} gives the suite's empty home the image, the
 *       layer cache and the .deb cache (hard links; about a second), so the suite may push, rmi, gc
 *       or rebuild freely. {@code reader(suite)} runs read-only commands (inspect, images) on the
 *       shared home.
 * </ul>
 *
 * <p>Suites are classes named {@code *Test} in {@code dev.appliance.e2e}, annotated {@link
 * dev.appliance.e2e.support.EndToEnd @EndToEnd}: tagged {@code e2e}, so {@code ./scripts/test
 * -Dsurefire.excludedGroups=e2e} can leave them out, and cut down to their logs under {@code
 * target/e2e/} once they pass (a failing suite keeps its homes, registries and disks). Suites that
 * build root file systems (mmdebstrap) or boot LAMP or snort are also tagged {@code @Tag("slow")}:
 * {@code -Dsurefire.excludedGroups=slow} leaves out only those. Tag a new suite the same way when
 * it does either. Run them with {@code ./scripts/test} or {@code mvn verify}: {@code mvn test}
 * stops before the jar is packaged.
 */
package dev.appliance.e2e.support;
