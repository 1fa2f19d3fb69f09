package dev.appliance.runtime.instance;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.FileTrees;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/** Real UML boots of the test appliance: the whole lifecycle as a user drives it. */
class UmlLifecycleTest extends BootTest {
  @Test
  void runStopStartRemoveKeepsDataAndLeavesNoProcesses() throws Exception {
    String volume = "demo-" + ProcessHandle.current().pid() + "-" + System.nanoTime() % 100000;
    byte[] secret = "s3cret-value".getBytes(StandardCharsets.UTF_8);
    InstanceInfo a =
        manager.run(
            Guests.request(
                "a",
                "uml",
                List.of("80"),
                Map.of("greeting", "bonjour", "probe_url", TestImage.outboundProbeUrl()),
                Map.of("token", secret),
                List.of(volume + ":/var/lib/demo")),
            TestImage.resolver(dirs),
            false,
            Guests.BOOT_TIMEOUT,
            Guests::progress);
    assertEquals("uml", a.engine());
    assertEquals("running", a.state());
    // Two instances side by side: own ports, sockets and state.
    InstanceInfo b =
        manager.run(
            Guests.request("b", "uml"),
            TestImage.resolver(dirs),
            false,
            Guests.BOOT_TIMEOUT,
            Guests::progress);
    assertNotEquals(a.ports().get(0).hostPort(), b.ports().get(0).hostPort());
    // Each uniprocessor guest on one host CPU (which one depends on other guests: CpuPinTest).
    assertTrue(kernelCpus("a").matches("[0-9]+"), "a runs on CPUs " + kernelCpus("a"));
    assertTrue(kernelCpus("b").matches("[0-9]+"), "b runs on CPUs " + kernelCpus("b"));

    assertEquals("bonjour", Guests.get(a, "/greeting"));
    assertEquals("hello", Guests.get(b, "/greeting"), "default value of a parameter not given");
    assertEquals(
        "config disk /dev/ubdb",
        Guests.get(b, "/config-source").strip(),
        "the first-boot script took the disk after the root disk, without waiting for udev");
    assertEquals(Integer.toString(secret.length), Guests.get(a, "/secret-bytes"));
    assertEquals(1, Guests.get(a, "/boots").lines().count());
    assertEquals(
        "reachable",
        Guests.get(a, "/cgi-bin/outbound"),
        "outbound network with DNS from the guest");
    assertSecretNowhereOnTheHost(secret);

    manager.stop("a", Duration.ofSeconds(60));
    assertEquals("stopped", manager.info("a").state());
    java.io.ByteArrayOutputStream console = new java.io.ByteArrayOutputStream();
    manager.logs("a", false, console);
    assertTrue(
        console.toString(StandardCharsets.UTF_8).contains("reboot: Power down"),
        "a clean power-off (Ctrl-Alt-Del over UML's mconsole), not a kill");
    assertTrue(
        InstanceProcesses.find(instanceDir("a")).isEmpty(), "no process of a left after stop");
    assertEquals("running", manager.info("b").state(), "stopping a leaves b alone");

    manager.start("a", OptionalLong.empty());
    a = manager.awaitUp("a", Guests.BOOT_TIMEOUT, Guests::progress);
    assertEquals(
        2, Guests.get(a, "/boots").lines().count(), "the volume kept the first boot's line");
    assertEquals("bonjour", Guests.get(a, "/greeting"));

    manager.remove("b", true);
    assertTrue(InstanceProcesses.find(instanceDir("b")).isEmpty());
    assertFalse(Files.exists(instanceDir("b")));
    manager.stop("a", Duration.ofSeconds(60));
    manager.remove("a", false);
    assertTrue(manager.list().isEmpty());

    // The volume outlives its instance and serves a new one.
    InstanceInfo c =
        manager.run(
            Guests.request(
                "c", "uml", List.of("80"), Map.of(), Map.of(), List.of(volume + ":/var/lib/demo")),
            TestImage.resolver(dirs),
            false,
            Guests.BOOT_TIMEOUT,
            Guests::progress);
    assertEquals(3, Guests.get(c, "/boots").lines().count());
    manager.remove("c", true);
    FileTrees.delete(
        dirs.data().resolve("volumes").resolve(volume)); // the data dir is shared between runs
  }

  /** The CPUs the UML kernel of instance {@code name} may run on, as /proc lists them. */
  private String kernelCpus(String name) throws IOException {
    for (ProcessHandle p : InstanceProcesses.find(instanceDir(name))) {
      if (p.info().command().orElse("").endsWith("/linux.uml")) {
        return Files.readAllLines(Path.of("/proc/" + p.pid() + "/status")).stream()
            .filter(l -> l.startsWith("Cpus_allowed_list:"))
            .findFirst()
            .orElseThrow()
            .substring("Cpus_allowed_list:".length())
            .strip();
      }
    }
    throw new AssertionError("no UML kernel process of " + name);
  }

  private Path instanceDir(String name) {
    return dirs.instances().resolve(name).toAbsolutePath();
  }

  /** The secret is in no command line, no instance file but its 0600 config disk. */
  private void assertSecretNowhereOnTheHost(byte[] secret) throws IOException {
    String value = new String(secret, StandardCharsets.UTF_8);
    try (var procs = Files.list(Path.of("/proc"))) {
      for (Path p : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        try {
          String cmdline =
              new String(Files.readAllBytes(p.resolve("cmdline")), StandardCharsets.UTF_8);
          assertFalse(cmdline.contains(value), "secret in the command line of " + p);
        } catch (IOException gone) {
          // process ended
        }
      }
    }
    Path dir = instanceDir("a");
    assertFalse(Files.readString(dir.resolve("instance.json")).contains(value));
    assertFalse(Files.readString(dir.resolve("status.json")).contains(value));
    assertEquals(
        "rw-------",
        java.nio.file.attribute.PosixFilePermissions.toString(
            Files.getPosixFilePermissions(dir.resolve("config.img"))));
  }
}
