package dev.appliance.runtime.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.appliance.common.HostTools;
import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageReference;
import dev.appliance.registry.RegistryCredential;
import dev.appliance.registry.RegistryOptions;
import dev.appliance.registry.RegistryServer;
import dev.appliance.registry.RemoteRepository;
import dev.appliance.registry.TestCa;
import dev.appliance.registry.TransferListener;
import dev.appliance.runtime.disk.Debugfs;
import dev.appliance.runtime.disk.DiskAssembler;
import dev.appliance.runtime.disk.HostTool;
import dev.appliance.runtime.disk.ImageLayers;
import dev.appliance.signing.PublicKeys;
import dev.appliance.signing.RemoteSigning;
import dev.appliance.signing.SigningKey;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The base recipe's updater script against a real docker-registry (TLS with a test CA, htpasswd
 * credentials), run on the host in a private mount namespace that gives it what the guest has: a
 * kernel command line naming slot A, the data partition's files under /run/appliance, loop devices
 * as root slot B and the ESP (private /dev/disk/by-partlabel links), an efivarfs stand-in (a tmpfs:
 * the host has no UEFI variables to spare) and a systemctl that records the reboot instead of
 * rebooting the host. Booting it for real is UpdateBootTest's job; here the download cases are
 * exact and quick: a download interrupted half-way resumes where it stopped (HTTP range request),
 * the written slot equals the image's root disk; a tampered blob is refused with the slot
 * untouched.
 */
class UpdaterScriptTest {
  private static final Path SCRIPT = BaseRecipeFiles.DIR.resolve("appliance-update");
  private static final String PASSWORD = "script-secret-3";

  @TempDir Path tmp;
  private final List<String> loops = new ArrayList<>();

  private TestCa ca;
  private RegistryServer registry;
  private RegistryOptions options;
  private Published published;

  /** Each test's registry, holding a stand-in image's root-slot artifact under ops/web:stable. */
  @BeforeEach
  void publishToARegistry() throws IOException {
    assumeTrue(HostTools.isRoot(), "loop devices and a mount namespace need root");
    ca = TestCa.create(tmp.resolve("ca"));
    registry = RegistryServer.secure(tmp.resolve("registry"), ca, PASSWORD);
    options = options(ca);
    published = publish(registry, options, "ops/web");
  }

  @AfterEach
  void detachLoopsAndStopTheRegistry() throws IOException {
    for (String loop : loops) {
      HostTool.runAllowingFailure(List.of("losetup", "-d", loop), tmp, Map.of());
    }
    if (registry != null) {
      registry.close();
    }
  }

  @Test
  void anInterruptedDownloadResumesAndATamperedBlobIsRefusedWithTheSlotUntouched()
      throws Exception {
    String blob = published.blob();
    Digest imageDigest = published.image();
    Path stored = registry.blobFile(blob);
    Path rootDisk = published.rootDisk();
    long slotBytes = Files.size(rootDisk) + (4L << 20);

    // What an interrupted download leaves: the first third of the blob in the data partition.
    Path partial = tmp.resolve("partial");
    byte[] whole = Files.readAllBytes(stored);
    Files.write(partial, Arrays.copyOf(whole, whole.length / 3));
    // Slot B still holds an older version: every byte of it must go, zeros included.
    Path slot = filled(tmp.resolve("slot-b.img"), slotBytes);
    Guest guest = guest(slot, blob, partial, null);
    HostTool.Result resumed = guest.apply();
    assertTrue(
        resumed.stdout().contains("resuming the download of " + blob + " at " + whole.length / 3),
        resumed.stdout() + resumed.stderr());
    // curl -C - refuses to go on when a server ignores the range (exit 33), so a complete,
    // verified slot below means the rest came by a range request.
    assertTrue(
        resumed.stdout().contains("writing " + imageDigest + " to slot b"), resumed.stdout());
    // This host's kernel has no vfat: the script stops at the ESP, after the slot is written
    // and grown. The ESP, the one-shot entry and the reboot are UpdateBootTest's.
    assertTrue(
        resumed.stdout().endsWith("appliance-update: cannot mount the EFI system partition\n"),
        resumed.stdout());
    assertHoldsTheImage(slot, rootDisk, "slot B");

    // The same blob, one byte changed in the registry's storage: refused, nothing written.
    try (RandomAccessFile f = new RandomAccessFile(stored.toFile(), "rw")) {
      f.seek(whole.length / 2);
      f.write(whole[whole.length / 2] ^ 0xff);
    }
    Path untouched = blank(tmp.resolve("slot-b2.img"), slotBytes);
    Guest second = guest(untouched, blob, null, null);
    HostTool.Result refused = second.apply();
    assertEquals(1, refused.exitCode(), refused.stdout());
    assertTrue(
        refused.stdout().contains("blob " + blob + " does not match its digest: refused"),
        refused.stdout());
    assertUntouched(untouched, "slot B untouched");
    assertTrue(
        Files.readString(second.dir().resolve("download.ls")).isBlank(),
        "the tampered download is deleted");
  }

  /**
   * A root-slot artifact whose blob matches its digest but is not a whole gzip stream (cut at two
   * thirds, as a broken pusher would leave it): the slot is not used, nothing reboots, the blob is
   * deleted, and status says why. The shell keeps only dd's exit status of the writing pipe; this
   * is what catches gzip's.
   */
  @Test
  void aBlobThatDoesNotDecompressIsRefusedAndNothingReboots() throws Exception {
    RemoteRepository remote =
        RemoteRepository.open(
            ImageReference.parse(registry.host() + "/ops/web:stable"),
            options,
            new TransferListener() {},
            true);
    byte[] whole = Files.readAllBytes(registry.blobFile(published.blob()));
    byte[] cut = Arrays.copyOf(whole, whole.length * 2 / 3);
    Digest cutDigest = Digest.sha256(cut);
    remote.putBlob(cutDigest, cut);
    String artifactTag = "sha256-" + published.image().hex() + ".rootfs";
    RemoteRepository.RemoteManifest artifact = remote.manifest(artifactTag).orElseThrow();
    ObjectNode tree = (ObjectNode) new ObjectMapper().readTree(artifact.body());
    ObjectNode layer = (ObjectNode) tree.get("layers").get(0);
    layer.put("digest", cutDigest.toString()).put("size", cut.length);
    remote.putManifest(
        artifactTag, new ObjectMapper().writeValueAsBytes(tree), artifact.mediaType());

    Path slot = filled(tmp.resolve("slot-b.img"), Files.size(published.rootDisk()) + (4L << 20));
    Guest guest = guest(slot, cutDigest.toString(), null, null);
    HostTool.Result result = guest.apply();
    String why = "blob " + cutDigest + " does not decompress (gzip): slot b is not used";
    assertEquals(1, result.exitCode(), result.stdout() + result.stderr());
    assertTrue(result.stdout().contains(why), result.stdout() + result.stderr());
    assertTrue(
        Files.readString(guest.dir().resolve("status.txt")).contains("last result: failed: " + why),
        Files.readString(guest.dir().resolve("status.txt")));
    assertFalse(
        Files.exists(FakeSystemctl.log(guest.dir()))
            && Files.readString(FakeSystemctl.log(guest.dir())).contains("reboot"),
        "no reboot");
    assertTrue(
        Files.readString(guest.dir().resolve("download.ls")).isBlank(),
        "the blob that does not decompress is deleted");
  }

  /**
   * With an update key on the data partition (export --update-key), the updater writes a slot only
   * when both the image and its root-slot artifact carry a cosign signature by that key, made here
   * as `appliance sign` makes them (RemoteSigning, the tag scheme of docker-registry), naming the
   * followed repository and the digest. Every refusal leaves the slot untouched and says why in
   * `status`.
   */
  @Test
  void withAnUpdateKeyOnlyASignedImageAndRootSlotAreWritten() throws Exception {
    String repository = registry.host() + "/ops/web";
    SigningKey release = SigningKey.generate(new SecureRandom());
    SigningKey other = SigningKey.generate(new SecureRandom());
    Path key = Files.write(tmp.resolve("release.pub"), PublicKeys.toPem(release.publicKey()));
    RemoteSigning signing = new RemoteSigning(options, new TransferListener() {});
    String image = repository + "@" + published.image();
    String artifact = repository + "@" + published.artifact();
    long slotBytes = Files.size(published.rootDisk()) + (4L << 20);

    refused(key, "image " + published.image() + " is not signed");
    signing.sign(image, other);
    refused(key, "image " + published.image() + ": no signature by the update key: refused");
    // The image signed by the key, somewhere else: a signature naming another repository,
    // copied next to the image, does not count.
    publish(registry, options, "ops/elsewhere");
    signing.sign(registry.host() + "/ops/elsewhere@" + published.image(), release);
    copySignature(registry, options, "ops/elsewhere", "ops/web", published.image());
    refused(
        key,
        "image "
            + published.image()
            + ": the signature by the update key names another repository: refused");
    signing.sign(image, release);
    refused(key, "root-slot artifact " + published.artifact() + " is not signed");

    signing.sign(artifact, release);
    Path slot = blank(tmp.resolve("slot-signed.img"), slotBytes);
    HostTool.Result applied = guest(slot, published.blob(), null, key).apply();
    assertTrue(
        applied.stdout().contains("writing " + published.image() + " to slot b"),
        applied.stdout() + applied.stderr());
    assertHoldsTheImage(slot, published.rootDisk(), "signed: slot B");
  }

  /** Runs apply with {@code key}: exit 1, {@code why} in its output and status, slot B blank. */
  private void refused(Path key, String why) throws IOException {
    Path slot =
        blank(
            Files.createTempFile(tmp, "slot-", ".img"),
            Files.size(published.rootDisk()) + (4L << 20));
    Guest guest = guest(slot, published.blob(), null, key);
    HostTool.Result result = guest.apply();
    assertEquals(1, result.exitCode(), result.stdout() + result.stderr());
    assertTrue(result.stdout().contains(why), "expected '" + why + "' in:\n" + result.stdout());
    assertTrue(
        Files.readString(guest.dir().resolve("status.txt")).contains("last result: failed: "),
        "status says the update failed");
    assertTrue(
        Files.readString(guest.dir().resolve("status.txt")).contains(why),
        "status says why: " + Files.readString(guest.dir().resolve("status.txt")));
    assertUntouched(slot, "slot B untouched: " + why);
    assertTrue(
        Files.readString(guest.dir().resolve("download.ls")).isBlank(), "nothing downloaded");
  }

  /**
   * Copies the cosign signature manifest of {@code digest} (and its blobs) between repositories.
   */
  private static void copySignature(
      RegistryServer registry, RegistryOptions options, String from, String to, Digest digest)
      throws IOException {
    String tag = "sha256-" + digest.hex() + ".sig";
    RemoteRepository source =
        RemoteRepository.open(
            ImageReference.parse(registry.host() + "/" + from + ":" + tag),
            options,
            new TransferListener() {},
            true);
    RemoteRepository target =
        RemoteRepository.open(
            ImageReference.parse(registry.host() + "/" + to + ":" + tag),
            options,
            new TransferListener() {},
            true);
    RemoteRepository.RemoteManifest manifest = source.manifest(tag).orElseThrow();
    JsonNode tree = new ObjectMapper().readTree(manifest.body());
    List<JsonNode> descriptors = new ArrayList<>();
    descriptors.add(tree.get("config"));
    tree.get("layers").forEach(descriptors::add);
    for (JsonNode d : descriptors) {
      Digest blob = Digest.parse(d.get("digest").asText());
      target.putBlob(blob, source.blob(blob, d.get("size").asLong()));
    }
    target.putManifest(tag, manifest.body(), manifest.mediaType());
  }

  private static RegistryOptions options(TestCa ca) {
    return RegistryOptions.defaults()
        .withCaCert(ca.caCert())
        .withCredential(new RegistryCredential(RegistryServer.USER, PASSWORD));
  }

  /** What {@link #publish} put in the registry. */
  record Published(Digest image, Digest artifact, String blob, Path rootDisk) {}

  /**
   * Pushes a stand-in image's root-slot artifact to {@code repository}, then its manifest under the
   * tag stable, as `appliance push --root-slot` does.
   */
  private Published publish(RegistryServer registry, RegistryOptions options, String repository)
      throws IOException {
    ImageReference ref = ImageReference.parse(registry.host() + "/" + repository + ":stable");
    byte[] manifest = UpdateSource.manifest("2");
    Digest imageDigest = Digest.sha256(manifest);
    ImageLayers image =
        new ImageLayers(
            "web:2",
            imageDigest.toString(),
            List.of(
                ExportTest.standInLayer(
                    Files.createTempDirectory(tmp, "layer-").resolve("layer.tar.gz"))));
    DiskAssembler disks = new DiskAssembler(tmp.resolve("disks"));
    Digest artifact =
        new RootSlotArtifact(disks, options, new TransferListener() {})
            .push(
                image,
                ExportTest.METADATA,
                ref,
                imageDigest,
                Files.createTempDirectory(tmp, "push-"));
    RemoteRepository remote = RemoteRepository.open(ref, options, new TransferListener() {}, true);
    UpdateSource.tag(remote, "stable", manifest);
    String blob = UpdateSource.slotBlob(remote, artifact);
    return new Published(
        imageDigest, artifact, blob, disks.assemble(image, ExportTest.METADATA.diskBytes()));
  }

  /** A guest's view, set up and run in a private mount namespace. */
  record Guest(Path dir, String script) {
    HostTool.Result apply() {
      return HostTool.runAllowingFailure(
          List.of("unshare", "-m", "sh", dir.resolve("guest.sh").toString()), dir, Map.of());
    }
  }

  /**
   * @param key cosign public key the guest requires signatures by, or null
   */
  private Guest guest(Path slot, String blob, Path partial, Path key) throws IOException {
    Path dir = Files.createTempDirectory(tmp, "guest-");
    String slotLoop = loop(slot);
    Path esp = dir.resolve("esp.img");
    HostTool.run(List.of("mkfs.vfat", "-C", esp.toString(), "40000"), dir);
    HostTool.run(List.of("mmd", "-i", esp.toString(), "::/loader", "::/loader/entries"), dir);
    String espLoop = loop(esp);
    Files.writeString(
        dir.resolve("cmdline"), "root=PARTUUID=x appliance.slot=a rw console=ttyS0\n");
    FakeSystemctl.install(dir);

    String d = dir.toString();
    String script =
        String.join(
            "\n",
            "set -e",
            "mount --bind " + d + "/cmdline /proc/cmdline",
            "mkdir -p /run/appliance && mount -t tmpfs tmpfs /run/appliance",
            "S=/run/appliance/.state",
            "mkdir -p $S/update/download $S/slots/a /run/appliance/secrets",
            "echo " + registry.host() + "/ops/web:stable > $S/update/follow",
            "cp " + ca.caCert() + " $S/update/ca.pem",
            key == null ? ":" : "cp " + key + " $S/update/key.pub",
            "echo 'rw console=ttyS0' > $S/update/options",
            "echo sha256:" + "0".repeat(64) + " > $S/slots/a/digest",
            "printf %s " + RegistryServer.USER + " > /run/appliance/secrets/update_username",
            "printf %s " + PASSWORD + " > /run/appliance/secrets/update_password",
            partial == null ? ":" : "cp " + partial + " $S/update/download/" + blob.substring(7),
            // /dev/disk exists only where udev runs: a private overlay over /dev holds the links
            // without writing to the host's /dev.
            "mkdir -p " + d + "/dev-upper " + d + "/dev-work",
            "mount -t overlay overlay -o lowerdir=/dev,upperdir="
                + d
                + "/dev-upper,workdir="
                + d
                + "/dev-work /dev",
            "mkdir -p /dev/disk/by-partlabel",
            "ln -s " + slotLoop + " /dev/disk/by-partlabel/root-b",
            "ln -s " + espLoop + " /dev/disk/by-partlabel/esp",
            "rc=0",
            "PATH=" + d + "/bin:$PATH sh " + SCRIPT + " apply || rc=$?",
            "ls $S/update/download > " + d + "/download.ls",
            "PATH=" + d + "/bin:$PATH sh " + SCRIPT + " status > " + d + "/status.txt",
            "exit $rc",
            "");
    Files.writeString(dir.resolve("guest.sh"), script);
    return new Guest(dir, script);
  }

  private String loop(Path file) {
    String device =
        HostTool.run(List.of("losetup", "-f", "--show", file.toString()), tmp).stdout().strip();
    loops.add(device);
    return device;
  }

  /**
   * The slot holds the image's root filesystem (its UUID, files and their contents), checked clean
   * and grown past its artifact's minimal size to fill the slot, and no block of what the slot held
   * before.
   */
  private static void assertHoldsTheImage(Path slot, Path rootDisk, String what)
      throws IOException {
    Debugfs fs = new Debugfs(slot);
    HostTool.Result check = fs.fsck();
    assertEquals(0, check.exitCode(), what + ": e2fsck -fn: " + check.stdout() + check.stderr());
    assertEquals(
        new Debugfs(rootDisk).superblock("Filesystem UUID"),
        fs.superblock("Filesystem UUID"),
        what + " holds the image's filesystem");
    long fsBytes = fs.filesystemBytes();
    assertTrue(
        fsBytes >= Files.size(rootDisk) && fsBytes <= Files.size(slot),
        what + ": the filesystem fills the slot: " + fsBytes + " of " + Files.size(slot));
    assertEquals("web\n", fs.cat("/etc/hostname"), what + ": /etc/hostname");
    assertEquals("mine", fs.cat("/home/web/secret"), what + ": /home/web/secret");
    byte[] old = new byte[4096];
    java.util.Arrays.fill(old, (byte) 0xa5);
    byte[] all = Files.readAllBytes(slot);
    for (int at = 0; at + old.length <= all.length; at += old.length) {
      assertFalse(
          java.util.Arrays.equals(all, at, at + old.length, old, 0, old.length),
          what + ": a block of the older version is left at " + at);
    }
  }

  private static void assertUntouched(Path slot, String what) throws IOException {
    byte[] all = Files.readAllBytes(slot);
    assertArrayEquals(new byte[all.length], all, what);
  }

  /** A slot holding what an older version left: no byte of it zero. */
  private static Path filled(Path file, long size) throws IOException {
    byte[] block = new byte[1 << 20];
    java.util.Arrays.fill(block, (byte) 0xa5);
    try (var out = Files.newOutputStream(file)) {
      for (long left = size; left > 0; left -= block.length) {
        out.write(block, 0, (int) Math.min(left, block.length));
      }
    }
    return file;
  }

  private static Path blank(Path file, long size) throws IOException {
    try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
      f.setLength(size);
    }
    return file;
  }
}
