/**
 * The ways to boot an image: KVM, User-Mode Linux and QEMU TCG, each confined on the host.
 *
 * <p>Public API: {@link dev.appliance.runtime.engine.Engine} and its implementations {@link
 * dev.appliance.runtime.engine.QemuEngine} and {@link dev.appliance.runtime.engine.UmlEngine},
 * chosen by {@link dev.appliance.runtime.engine.EngineSelector} among {@link
 * dev.appliance.runtime.engine.EngineKind}; one boot's inputs {@link
 * dev.appliance.runtime.engine.BootSpec} and processes {@link
 * dev.appliance.runtime.engine.EngineRun}; confinement through {@link
 * dev.appliance.runtime.engine.Sandbox}, {@link dev.appliance.runtime.engine.Bubblewrap} and {@link
 * dev.appliance.runtime.engine.Confinement}; the guest network {@link
 * dev.appliance.runtime.engine.SlirpNetwork}; helpers {@link
 * dev.appliance.runtime.engine.ProcessStarter}, {@link dev.appliance.runtime.engine.KvmCheck} and
 * {@link dev.appliance.runtime.engine.UmlKernel}.
 */
package dev.appliance.runtime.engine;
