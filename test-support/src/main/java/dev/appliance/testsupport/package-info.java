/**
 * What the test suites share to boot an exported disk as an ops team would, with nothing of the
 * appliance runtime: {@link dev.appliance.testsupport.OvmfMachine} (plain qemu-system-x86_64 on TCG
 * with Debian's OVMF, a forwarded HTTP port, the serial console in a file, waits on both), {@link
 * dev.appliance.testsupport.SerialConsole} (reading and waiting on a console file) and {@link
 * dev.appliance.testsupport.FreePort}. Used in test scope by runtime and tests; no product module
 * depends on it.
 */
package dev.appliance.testsupport;
