/**
 * Instances: images booted with their parameters, volumes and ports, each owned by one supervisor
 * process.
 *
 * <p>Public API: {@link dev.appliance.runtime.instance.InstanceManager} (create, start, stop,
 * remove, list, logs, upgrade, rollback, history) with {@link
 * dev.appliance.runtime.instance.ImageChange} (one entry of an instance's image history) with
 * {@link dev.appliance.runtime.instance.RunRequest}, {@link
 * dev.appliance.runtime.instance.VolumeMount}, {@link dev.appliance.runtime.instance.InstanceInfo}
 * and {@link dev.appliance.runtime.instance.InstanceStatus}; {@link
 * dev.appliance.runtime.instance.VolumeStore} and {@link dev.appliance.runtime.instance.VolumeInfo}
 * (named volumes); {@link dev.appliance.runtime.instance.BootImageResolver}, {@link
 * dev.appliance.runtime.instance.StoreBootImages} and {@link
 * dev.appliance.runtime.instance.BootImage} (an image made ready to boot); {@link
 * dev.appliance.runtime.instance.Supervisor} (the per-instance process), {@link
 * dev.appliance.runtime.instance.InstanceSpec}, {@link dev.appliance.runtime.instance.ConfigDisk}
 * and {@link dev.appliance.runtime.instance.ImageLimits}.
 */
package dev.appliance.runtime.instance;
