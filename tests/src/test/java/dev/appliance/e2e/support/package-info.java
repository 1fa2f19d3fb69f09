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
 * </ul>
 *
 * <p>Suites are classes named {@code *Test} in {@code dev.appliance.e2e}, tagged
 * {@code @Tag("e2e")} so {@code ./scripts/test -Dsurefire.excludedGroups=e2e} can leave them out.
 * Run them with {@code ./scripts/test} or {@code mvn verify}: {@code mvn test} stops before the jar
 * is packaged.
 */
package dev.appliance.e2e.support;
