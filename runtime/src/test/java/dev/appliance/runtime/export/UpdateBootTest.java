package dev.appliance.runtime.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.oci.ApplianceMetadata;
import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageReference;
import dev.appliance.registry.RegistryCredential;
import dev.appliance.registry.RegistryOptions;
import dev.appliance.registry.RegistryServer;
import dev.appliance.registry.RemoteRepository;
import dev.appliance.registry.TestCa;
import dev.appliance.registry.TransferListener;
import dev.appliance.runtime.disk.DiskAssembler;
import dev.appliance.runtime.disk.HostTool;
import dev.appliance.runtime.disk.ImageFiles;
import dev.appliance.runtime.disk.ImageLayers;
import dev.appliance.runtime.disk.TestLayer;
import dev.appliance.runtime.instance.ImageLimits;
import dev.appliance.store.ImageStore;
import dev.appliance.testsupport.FreePort;
import dev.appliance.testsupport.OvmfMachine;
import dev.appliance.testsupport.StepTimes;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A self-updating export updates itself from a real docker-registry (TLS with a test CA, htpasswd
 * credentials given as first-boot secrets) under plain qemu-system-x86_64 with OVMF on TCG, with no
 * appliance runtime on the guest side: the guest's own timer checks the tag it follows.
 *
 * <p>The image is a small Debian trixie (mmdebstrap: kernel, systemd, systemd-boot-efi, busybox
 * httpd, curl, jq), not LAMP: each LAMP boot under TCG takes minutes and this test boots four
 * times. A version layer sets /etc/app-version; record-boot appends "VERSION BOOT-ID" to the state
 * directory /var/lib/appstate (on the data partition), which httpd serves with the health file. The
 * base recipe's first-boot, updater and health-gate files are layered on top, as the base recipe
 * installs them. One machine throughout: a guest reboot starts it again on the same disks and UEFI
 * variables (systemd-boot's one-shot entry lives there).
 *
 * <p>Sequence: 1 boots; 2 is pushed and its download is cut a third of the way (the guest reaches
 * the registry through {@link CuttingProxy}, which then refuses connections as a stopped registry
 * would): the running slot stays, status names the pending download; the registry back, the next
 * check resumes where it stopped and the guest moves to 2, the boot record of 1 still there; a 3
 * whose blob was tampered with in the registry's storage is refused, slot untouched; a broken 4
 * (health never passes) is tried once and the guest comes back on 2 by itself, saying why.
 */
@Tag("boot")
class UpdateBootTest {
  private static final Path WORK = Path.of("target/update-boot").toAbsolutePath();
  // A bound against hangs, not a speed claim: a step (download, writing and reading back the slot,
  // reboot, boot) took over 8 minutes under TCG with a load average of 40 on two cores.
  private static final Duration STEP = Duration.ofMinutes(15);
  private static final String PASSWORD = "update-secret-7";
  private static Path rootfs;

  @BeforeAll
  static void buildImage() throws IOException {
    rootfs =
        TrixieRootfs.build(
            WORK,
            "rootfs.tar",
            "e2fsprogs,curl,jq,ca-certificates",
            TrixieRootfs.webServer("/var/lib/appstate", "network.target", "")
                + "chroot \"$R\" systemctl enable systemd-networkd healthz.service\n");
  }

  @Test
  void updatesKeepDataRefuseTamperedBlobsAndRollBackABrokenVersion() throws Exception {
    Path dir = Files.createTempDirectory(WORK, "run-");
    OvmfMachine vm = null;
    StepTimes steps = new StepTimes("update boot");
    TestCa ca = TestCa.create(dir.resolve("ca"), List.of("IP:10.0.2.2"));
    try (RegistryServer registry = RegistryServer.secure(dir.resolve("registry"), ca, PASSWORD);
        CuttingProxy proxy =
            new CuttingProxy(Integer.parseInt(registry.host().replaceFirst(".*:", "")))) {
      RegistryOptions options = registryOptions(ca);
      String repository = registry.host() + "/ops/upd";
      String follow = "10.0.2.2:" + proxy.port() + "/ops/upd:stable";
      Path updater = updaterLayer(dir.resolve("updater.tar.gz"));
      DiskAssembler disks = new DiskAssembler(dir.resolve("disks"));

      Version v1 = version(dir, "1", updater, false);
      publish(registry, options, repository, v1, disks, dir, false);
      steps.mark("1 published");
      ExportResult exported =
          new Exporter(
                  disks,
                  new ImageFiles(dir.resolve("files")),
                  ImageStore.open(dir.resolve("store")),
                  RegistryOptions.defaults(),
                  new TransferListener() {})
              .export(
                  v1.layers(),
                  v1.metadata(),
                  new ExportOptions(
                      ExportFormat.QCOW2,
                      dir.resolve("out"),
                      false,
                      null,
                      Map.of(),
                      Map.of(
                          "update_username", RegistryServer.USER.getBytes(StandardCharsets.UTF_8),
                          "update_password", PASSWORD.getBytes(StandardCharsets.UTF_8)),
                      ImageLimits.DEFAULTS,
                      new StateVolume(List.of("/var/lib/appstate"), StateVolume.DEFAULT_BYTES),
                      false,
                      UpdateChannel.following(follow, ca.caCert(), 1L << 30)));
      Path config =
          exported.files().stream()
              .filter(f -> f.getFileName().toString().endsWith("-config.img"))
              .findFirst()
              .orElseThrow();
      steps.mark("1 exported");

      vm =
          OvmfMachine.in(dir)
              .disk(exported.disk(), "qcow2")
              .readOnlyDisk(config)
              .restartOnReboot()
              .start(FreePort.next());
      long start = System.nanoTime();
      List<String> boots = waitForBoots(vm, "1", 1);
      System.err.println("update boot: v1 healthy after " + seconds(start) + " s");
      steps.mark("1 booted and healthy");
      vm.awaitConsole("up to date: " + follow + " is " + v1.digest(), 0, STEP);
      steps.mark("1 checked: up to date");

      // 2: the guest's timer finds it and starts the download, which is cut (20 MiB of a blob of
      // about 100 MB) as if the registry stopped; the registry stays away until the test has
      // seen the running slot untouched and the status.
      Version v2 = version(dir, "2", updater, false);
      int consoleMark = vm.console().length();
      proxy.cutAfter(20L << 20);
      long blobBytes = publish(registry, options, repository, v2, disks, dir, false);
      long updateStart = System.nanoTime();
      steps.mark("2 published");
      vm.awaitConsole("appliance-update: downloading sha256:", consoleMark, STEP);
      assertTrue(proxy.isDown(), "the cut happened");
      // The status file is rewritten after each run: wait for the one after the cut.
      String status = waitForStatus(vm, "(the next check resumes)");
      steps.mark("2 download cut, status says so");
      Matcher pending =
          Pattern.compile(
                  "download:    (\\d+) of "
                      + blobBytes
                      + " bytes of (sha256:[0-9a-f]{64}) for "
                      + Pattern.quote(v2.digest())
                      + " \\(the next check resumes\\)")
              .matcher(status);
      assertTrue(pending.find(), "status names the pending download:\n" + status);
      long kept = Long.parseLong(pending.group(1));
      String blob = pending.group(2);
      assertTrue(kept > 0 && kept < blobBytes, "part of the blob kept: " + kept);
      assertTrue(status.contains("last result: failed: "), status);
      assertTrue(status.contains("current:     " + v1.digest()), status);
      assertEquals(List.of("1"), versions(readBoots(vm)), "still on 1, not rebooted");
      assertTrue(
          !vm.console().substring(consoleMark).contains("writing " + v2.digest()),
          "no slot written");

      // The registry back: the next check resumes at what was kept and fetches only the rest.
      int connections = proxy.downstreamBytes().size();
      proxy.restore();
      long resumeStart = System.nanoTime();
      vm.awaitConsole(
          "resuming the download of " + blob + " at " + kept + " of ", consoleMark, STEP);
      vm.awaitConsole(
          "downloaded " + blob + ": " + (blobBytes - kept) + " bytes fetched by this check",
          consoleMark,
          STEP);
      steps.mark("2 download resumed and done");
      long relayed =
          proxy.downstreamBytes().subList(connections, proxy.downstreamBytes().size()).stream()
              .mapToLong(Long::longValue)
              .sum();
      assertTrue(
          relayed < blobBytes,
          "after the cut the registry sent " + relayed + " bytes, the blob has " + blobBytes);
      boots = waitForBoots(vm, "2", 2);
      steps.mark("2 written, rebooted, healthy");
      long updateSeconds = seconds(updateStart);
      long resumedSeconds = seconds(resumeStart);
      assertEquals("1", boots.get(0).split(" ")[0], "the record written by 1 is kept: " + boots);
      vm.awaitConsole("slot b is healthy and now the default: " + v2.digest(), 0, STEP);
      System.err.println(
          "update boot: 1 -> 2 in "
              + updateSeconds
              + " s from the push (cut included), "
              + resumedSeconds
              + " s from the registry's return to healthy on slot b; root-slot blob "
              + blobBytes
              + " bytes for a root disk of "
              + v2.metadata().diskBytes()
              + " bytes; "
              + kept
              + " bytes before the cut, "
              + relayed
              + " bytes sent by the registry after it (TLS included)");

      // 3 with a tampered blob: refused, the running slot untouched.
      Version v3 = version(dir, "3", updater, false);
      publish(registry, options, repository, v3, disks, dir, true);
      steps.mark("3 (tampered) published");
      vm.awaitConsole("does not match its digest: refused", 0, STEP);
      steps.mark("3 downloaded and refused");
      assertTrue(readBoots(vm).stream().allMatch(b -> !b.startsWith("3 ")), "3 never booted");

      // 4, broken: tried once, back on 2 by itself.
      Version v4 = version(dir, "4", updater, true);
      consoleMark = vm.console().length();
      publish(registry, options, repository, v4, disks, dir, false);
      steps.mark("4 (broken) published");
      vm.awaitConsole("rebooting into slot a to try " + v4.digest(), consoleMark, STEP);
      steps.mark("4 downloaded and written");
      vm.awaitConsole("update to " + v4.digest() + " failed (http health check", consoleMark, STEP);
      vm.awaitConsole("rolled back to slot b (" + v2.digest() + ")", consoleMark, STEP);
      boots = waitForBoots(vm, "2", 4);
      steps.mark("4 failed its health check, back on 2");
      assertEquals(
          1, boots.stream().filter(b -> b.startsWith("4 ")).count(), "4 tried once: " + boots);
      assertEquals("1", boots.get(0).split(" ")[0], "the record written by 1 is still kept");
      assertEquals(3, vm.resets(), "rebooted into 2, into 4, and back: " + boots);
    } finally {
      steps.print();
      if (vm != null) {
        vm.close();
        System.err.println("update boot: console ends with:\n" + vm.tail());
      }
      HostTool.run(List.of("rm", "-rf", dir.toString()), WORK);
    }
  }

  /** One version of the test appliance: its layers, metadata and manifest digest. */
  record Version(ImageLayers layers, ApplianceMetadata metadata, String digest, byte[] manifest) {}

  private static Version version(Path dir, String number, Path updater, boolean broken)
      throws IOException {
    TestLayer layer = new TestLayer().dir("etc", 0755, 0, 0).file("etc/app-version", number + "\n");
    if (broken) {
      // health never passes: the web server is masked
      layer.symlink("etc/systemd/system/healthz.service", "/dev/null");
    }
    Path versionLayer = layer.writeTo(dir.resolve("version-" + number + ".tar.gz"));
    // What the registry serves under the tag: an OCI manifest naming the version's layers. The
    // updater reads only its digest, then the root-slot artifact tagged after it.
    byte[] manifest = UpdateSource.manifest(number);
    String digest = Digest.sha256(manifest).toString();
    ApplianceMetadata metadata =
        new ApplianceMetadata(
            "upd",
            number,
            List.of(new ApplianceMetadata.Port("http", 80, "tcp")),
            // The broken version's check never passes: waiting longer for it proves nothing.
            new ApplianceMetadata.HealthCheck("http", 80, "/healthz", 200, broken ? 20 : 90),
            1024,
            1,
            // The 170 MB tree (TrixieRootfs leaves out what no guest reads) with room to spare:
            // every update writes this much under TCG.
            384L << 20,
            null,
            // Everything the guest's units log, on the console the test reads.
            "systemd.journald.forward_to_console=1",
            List.of());
    return new Version(
        new ImageLayers("upd:" + number, digest, List.of(rootfs, updater, versionLayer)),
        metadata,
        digest,
        manifest);
  }

  /**
   * Pushes the version's root-slot artifact, then moves the tag to its manifest (in that order, as
   * `appliance push --root-slot` does). Returns the size of the root-slot blob.
   */
  private static long publish(
      RegistryServer registry,
      RegistryOptions options,
      String repository,
      Version version,
      DiskAssembler disks,
      Path dir,
      boolean tamper)
      throws IOException {
    Path work = Files.createTempDirectory(dir, "push-");
    ImageReference ref = ImageReference.parse(repository + ":stable");
    Digest artifact =
        new RootSlotArtifact(disks, options, new TransferListener() {})
            .push(version.layers(), version.metadata(), ref, Digest.parse(version.digest()), work);
    RemoteRepository remote = RemoteRepository.open(ref, options, new TransferListener() {}, true);
    Path blob = registry.blobFile(UpdateSource.slotBlob(remote, artifact));
    if (tamper) {
      // One byte changed in the registry's storage, which serves it as it is.
      try (RandomAccessFile f = new RandomAccessFile(blob.toFile(), "rw")) {
        long at = f.length() / 2;
        f.seek(at);
        int b = f.read();
        f.seek(at);
        f.write(b ^ 0xff);
      }
    }
    UpdateSource.tag(remote, "stable", version.manifest());
    HostTool.run(List.of("rm", "-rf", work.toString()), dir);
    return Files.size(blob);
  }

  /** The base recipe's first-boot unit, updater and health gate, installed as the recipe does. */
  private static Path updaterLayer(Path file) throws IOException {
    TestLayer layer = new TestLayer();
    BaseRecipeFiles.scripts(layer, "appliance-firstboot", "appliance-update");
    BaseRecipeFiles.units(
        layer,
        "appliance-firstboot.service",
        "appliance-health-gate.service",
        "appliance-update.service",
        "appliance-update.timer");
    return layer
        // The test cannot wait 15 minutes for the first check: every 10 s instead, so that a
        // version is found soon after its push. (An empty assignment resets every monotonic
        // setting of the timer, so only one.)
        .file(
            "etc/systemd/system/appliance-update.timer.d/test.conf",
            "[Timer]\nOnBootSec=\nOnBootSec=10s\nOnUnitActiveSec=10s\n"
                + "RandomizedDelaySec=0\nAccuracySec=1s\n")
        // What `appliance-update status` says after each run, served with the boot records;
        // renamed into place, so that the test never reads half of it.
        .file(
            "etc/systemd/system/appliance-update.service.d/test.conf",
            "[Service]\nExecStopPost=/bin/sh -c '/usr/lib/appliance/appliance-update status"
                + " > /var/lib/appstate/update-status.new"
                + " && mv /var/lib/appstate/update-status.new /var/lib/appstate/update-status'\n")
        .file(
            "etc/systemd/system/record-boot.service",
            "[Unit]\nAfter=local-fs.target appliance-firstboot.service\nBefore=healthz.service\n"
                + "[Service]\nType=oneshot\nExecStart=/bin/sh -c \"echo $(cat /etc/app-version)"
                + " $(cat /proc/sys/kernel/random/boot_id) >> /var/lib/appstate/boots; sync\"\n"
                + "[Install]\nWantedBy=multi-user.target\n")
        .symlink(
            "etc/systemd/system/sysinit.target.wants/appliance-firstboot.service",
            "/etc/systemd/system/appliance-firstboot.service")
        .symlink(
            "etc/systemd/system/multi-user.target.wants/appliance-health-gate.service",
            "/etc/systemd/system/appliance-health-gate.service")
        .symlink(
            "etc/systemd/system/multi-user.target.wants/record-boot.service",
            "/etc/systemd/system/record-boot.service")
        .symlink(
            "etc/systemd/system/timers.target.wants/appliance-update.timer",
            "/etc/systemd/system/appliance-update.timer")
        .writeTo(file);
  }

  private static RegistryOptions registryOptions(TestCa ca) {
    return RegistryOptions.defaults()
        .withCaCert(ca.caCert())
        .withCredential(new RegistryCredential(RegistryServer.USER, PASSWORD));
  }

  /** Waits until the latest boot record says {@code version} and there are {@code count}. */
  private static List<String> waitForBoots(OvmfMachine vm, String version, int count)
      throws Exception {
    long deadline = System.nanoTime() + STEP.toNanos();
    List<String> boots = List.of();
    while (System.nanoTime() < deadline && vm.isAlive()) {
      try {
        boots = readBoots(vm);
        if (boots.size() >= count && boots.get(boots.size() - 1).startsWith(version + " ")) {
          return boots;
        }
      } catch (IOException notYet) {
        // booting, or rebooting
      }
      Thread.sleep(2000);
    }
    throw new AssertionError(
        "no boot of version "
            + version
            + " (boot "
            + count
            + "); records "
            + boots
            + "; console ends with:\n"
            + vm.tail());
  }

  /** The version of each boot record. */
  private static List<String> versions(List<String> boots) {
    return boots.stream().map(b -> b.split(" ")[0]).toList();
  }

  /** Waits until the guest's last `appliance-update status` contains {@code text}. */
  private static String waitForStatus(OvmfMachine vm, String text) throws Exception {
    long deadline = System.nanoTime() + STEP.toNanos();
    String status = "";
    while (System.nanoTime() < deadline && vm.isAlive()) {
      try {
        status = vm.get("/update-status");
        if (status.contains(text)) {
          return status;
        }
      } catch (IOException notYet) {
        // not written yet
      }
      Thread.sleep(1000);
    }
    throw new AssertionError(
        "status never said '" + text + "': " + status + "; console ends with:\n" + vm.tail());
  }

  /** The boot records the guest's httpd serves from its state directory. */
  private static List<String> readBoots(OvmfMachine vm) throws IOException {
    return vm.get("/boots").lines().toList();
  }

  private static long seconds(long since) {
    return (System.nanoTime() - since) / 1_000_000_000L;
  }
}
