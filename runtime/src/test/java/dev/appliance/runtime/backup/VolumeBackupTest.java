package dev.appliance.runtime.backup;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.ApplianceDirs;
import dev.appliance.common.ApplianceException;
import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageReference;
import dev.appliance.oci.Manifest;
import dev.appliance.oci.MediaTypes;
import dev.appliance.registry.RegistryOptions;
import dev.appliance.registry.RegistryServer;
import dev.appliance.registry.RemoteRepository;
import dev.appliance.registry.TransferListener;
import dev.appliance.runtime.disk.HostTool;
import dev.appliance.runtime.instance.InstanceManager;
import dev.appliance.runtime.instance.VolumeStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backup and restore of real ext4 volumes (mke2fs, files written with debugfs) through a real
 * docker-registry. The volumes are small (64 MiB) so that the tests can compare whole disks.
 */
class VolumeBackupTest {
  private static final int CHUNK = 1 << 20;
  private static final Clock CLOCK =
      Clock.fixed(Instant.parse("2026-12-05T01:00:00Z"), ZoneOffset.UTC);

  @TempDir Path tmp;
  private RegistryServer registry;
  private ApplianceDirs home;
  private String ref;

  @BeforeEach
  void setUp() throws IOException {
    registry = RegistryServer.plain(tmp.resolve("registry"));
    home = dirs("home");
    ref = registry.host() + "/backups/data:nightly";
  }

  @AfterEach
  void tearDown() {
    registry.close();
  }

  @Test
  void restoreInAFreshHomeGivesTheSameDiskAndFiles() throws Exception {
    Path disk = volume(home, "data");
    write(disk, "/hello.txt", "hello from the volume\n".getBytes(StandardCharsets.UTF_8));

    VolumeBackup.Result backup = backup();
    assertEquals(Files.size(disk), backup.volumeBytes());
    assertTrue(backup.uploadedChunks() > 0);
    assertTrue(backup.emptyBytes() > 0, "holes are not stored: " + backup);

    ApplianceDirs other = dirs("other");
    VolumeRestore.Result restored = restore(other, ref, "data", false);
    Path copy = new VolumeStore(other).disk("data");
    assertEquals(backup.manifest(), restored.manifest());
    assertEquals(sha256(disk), sha256(copy));
    assertEquals(new VolumeStore(home).uuid("data"), new VolumeStore(other).uuid("data"));
    assertEquals("hello from the volume\n", cat(copy, "/hello.txt"));
    HostTool.run(List.of("e2fsck", "-fn", copy.toString()), tmp);
    assertTrue(
        Files.size(copy) > 2 * allocated(copy), "the restored disk is sparse: " + allocated(copy));
  }

  @Test
  void theArtifactSaysWhatItIs() throws Exception {
    write(volume(home, "data"), "/a", "a".getBytes(StandardCharsets.UTF_8));
    VolumeBackup.Result backup = backup();
    RemoteRepository.RemoteManifest pushed = repository().manifest("nightly").orElseThrow();
    assertEquals(backup.manifest(), pushed.digest());
    Manifest manifest = Manifest.parse(pushed.body(), "pushed");
    String json = new String(pushed.body(), StandardCharsets.UTF_8);
    assertTrue(json.contains("\"artifactType\":\"application/vnd.appliance.volume.v1\""), json);
    assertEquals(BackupFormat.CONFIG_MEDIA_TYPE, manifest.config().mediaType());
    assertEquals("2026-12-05T01:00:00Z", manifest.annotations().get(BackupFormat.CREATED));
    assertEquals("data", manifest.annotations().get(BackupFormat.VOLUME));
    assertTrue(
        manifest.layers().stream()
            .allMatch(
                l ->
                    l.mediaType().equals(BackupFormat.CHUNK_MEDIA_TYPE)
                        && l.annotations().containsKey(BackupFormat.OFFSET)));
  }

  @Test
  void aSecondBackupUploadsOnlyTheChunksThatChanged() throws Exception {
    Path disk = volume(home, "data");
    write(disk, "/big", random(8 << 20, 1));
    VolumeBackup.Result first = backup();
    byte[] before = Files.readAllBytes(disk);

    write(disk, "/small.txt", "a small change\n".getBytes(StandardCharsets.UTF_8));
    byte[] after = Files.readAllBytes(disk);
    int changed = 0;
    for (int offset = 0; offset < after.length; offset += CHUNK) {
      if (!java.util.Arrays.equals(before, offset, offset + CHUNK, after, offset, offset + CHUNK)) {
        changed++;
      }
    }
    assertTrue(changed > 0 && changed < first.uploadedChunks(), "changed chunks: " + changed);

    VolumeBackup.Result second = backup();
    assertNotEquals(first.manifest(), second.manifest());
    assertEquals(changed, second.uploadedChunks(), "only the changed chunks are sent: " + second);
    assertTrue(
        second.skippedChunks() >= first.uploadedChunks() + first.skippedChunks() - changed,
        "every unchanged chunk is skipped: " + second);
    assertTrue(second.uploadedBytes() < first.uploadedBytes() / 4, second.toString());

    VolumeRestore.Result restored = restore(dirs("other"), ref, "data", false);
    assertEquals(second.manifest(), restored.manifest());
    assertArrayEquals(after, Files.readAllBytes(new VolumeStore(dirs("other")).disk("data")));
  }

  @Test
  void aBackupToAnotherRepositoryUploadsEveryChunkThoughTheIndexKnowsThem() throws Exception {
    Path disk = volume(home, "data");
    write(disk, "/f", random(3 << 20, 5));
    VolumeBackup.Result first = backup();
    assertTrue(Files.isRegularFile(new VolumeStore(home).backupIndex("data")));

    String elsewhere = registry.host() + "/other/data:1";
    VolumeBackup.Result second =
        backup(elsewhere, RegistryOptions.defaults(), TransferListener.NONE);
    assertEquals(
        first.uploadedChunks() + first.skippedChunks(),
        second.uploadedChunks() + second.skippedChunks());
    assertTrue(second.uploadedChunks() > 0, second.toString());
    assertArrayEquals(
        Files.readAllBytes(disk),
        Files.readAllBytes(restoreDisk(restore(dirs("other"), elsewhere, "data", false))));
  }

  @Test
  void aDamagedIndexIsIgnored() throws Exception {
    Path disk = volume(home, "data");
    write(disk, "/f", random(2 << 20, 6));
    Files.writeString(
        new VolumeStore(home).backupIndex("data"), "not\u0000an index\n" + "x".repeat(500));
    VolumeBackup.Result backup = backup();
    assertTrue(backup.uploadedChunks() > 0);
    assertArrayEquals(
        Files.readAllBytes(disk),
        Files.readAllBytes(restoreDisk(restore(dirs("other"), ref, "data", false))));
  }

  @Test
  void anInterruptedBackupLeavesTheTagAndARerunSkipsWhatWasSent() throws Exception {
    Path disk = volume(home, "data");
    write(disk, "/one", random(4 << 20, 2));
    VolumeBackup.Result old = backup();
    write(disk, "/two", random(12 << 20, 3));

    // The registry dies after some chunks of the second backup went in (a crash of either side
    // looks the same to the registry: an upload that never got its manifest).
    java.util.Set<Digest> sentBeforeTheCrash = java.util.concurrent.ConcurrentHashMap.newKeySet();
    TransferListener dying =
        new TransferListener() {
          @Override
          public void blobFinished(Descriptor blob, boolean skipped) {
            if (!skipped) {
              sentBeforeTheCrash.add(blob.digest());
              if (sentBeforeTheCrash.size() == 3) {
                registry.kill();
              }
            }
          }
        };
    RegistryOptions noRetry =
        RegistryOptions.defaults()
            .withRetry(new dev.appliance.registry.RetryPolicy(1, java.time.Duration.ZERO));
    assertThrows(RuntimeException.class, () -> backup(ref, noRetry, dying));
    registry.start();
    assertEquals(old.manifest(), repository().manifest("nightly").orElseThrow().digest());

    java.util.Set<Digest> skipped = java.util.concurrent.ConcurrentHashMap.newKeySet();
    TransferListener counting =
        new TransferListener() {
          @Override
          public void blobFinished(Descriptor blob, boolean wasSkipped) {
            if (wasSkipped) {
              skipped.add(blob.digest());
            }
          }
        };
    VolumeBackup.Result rerun = backup(ref, RegistryOptions.defaults(), counting);
    assertNotEquals(old.manifest(), rerun.manifest());
    assertTrue(
        skipped.containsAll(sentBeforeTheCrash),
        "the re-run skips the chunks the interrupted run sent: " + rerun);
    assertArrayEquals(
        Files.readAllBytes(disk),
        Files.readAllBytes(restoreDisk(restore(dirs("other"), ref, "data", false))));
  }

  @Test
  void aTamperedChunkIsRefusedAndNothingIsWritten() throws Exception {
    write(volume(home, "data"), "/f", random(2 << 20, 4));
    backup();
    Manifest manifest = Manifest.parse(repository().manifest("nightly").orElseThrow().body(), "m");
    Descriptor last = manifest.layers().get(manifest.layers().size() - 1);
    Path blob = registry.blobFile(last.digest().toString());
    byte[] bytes = Files.readAllBytes(blob);
    bytes[bytes.length / 2] ^= 1;
    Files.write(blob, bytes);

    ApplianceDirs other = dirs("other");
    ApplianceException refused =
        assertThrows(ApplianceException.class, () -> restore(other, ref, "data", false));
    assertTrue(refused.getMessage().contains(last.digest().toString()), refused.getMessage());
    assertNothingIn(other);
  }

  @Test
  void anArtifactOfAnotherMediaTypeIsRefused() throws Exception {
    byte[] config = "{}".getBytes(StandardCharsets.UTF_8);
    Descriptor configBlob =
        new Descriptor(MediaTypes.OCI_CONFIG, Digest.sha256(config), config.length);
    RemoteRepository repository = repository();
    repository.putBlob(configBlob.digest(), config);
    Manifest image = Manifest.create(configBlob, List.of(), Map.of());
    repository.putManifest("image", image.raw(), image.mediaType());

    ApplianceDirs other = dirs("other");
    InvalidInputException refused =
        assertThrows(
            InvalidInputException.class,
            () -> restore(other, registry.host() + "/backups/data:image", "data", false));
    assertTrue(refused.getMessage().contains("is not a volume backup"), refused.getMessage());
    assertNothingIn(other);
  }

  @Test
  void aChunkOfAnotherMediaTypeIsRefused() throws Exception {
    write(volume(home, "data"), "/f", "x".getBytes(StandardCharsets.UTF_8));
    backup();
    Manifest good = Manifest.parse(repository().manifest("nightly").orElseThrow().body(), "m");
    List<Descriptor> layers =
        good.layers().stream()
            .map(
                l ->
                    new Descriptor(
                        MediaTypes.OCI_LAYER_GZIP, l.digest(), l.size(), l.annotations()))
            .toList();
    Manifest bad =
        Manifest.create(BackupFormat.ARTIFACT_TYPE, good.config(), layers, good.annotations());
    repository().putManifest("bad", bad.raw(), bad.mediaType());

    ApplianceDirs other = dirs("other");
    InvalidInputException refused =
        assertThrows(
            InvalidInputException.class,
            () -> restore(other, registry.host() + "/backups/data:bad", "data", false));
    assertTrue(refused.getMessage().contains("media type"), refused.getMessage());
    assertNothingIn(other);
  }

  @Test
  void aBackupLargerThanTheLimitIsRefusedBeforeAnyChunk() throws Exception {
    volume(home, "data");
    backup();
    ApplianceDirs other = dirs("other");
    InvalidInputException refused =
        assertThrows(
            InvalidInputException.class,
            () ->
                new VolumeRestore(
                        new InstanceManager(other),
                        new VolumeStore(other),
                        RegistryOptions.defaults(),
                        TransferListener.NONE)
                    .restore(ref, "data", false, 32 << 20));
    assertTrue(refused.getMessage().contains("the limit is"), refused.getMessage());
    assertEquals(
        java.util.Optional.of(dev.appliance.runtime.host.RunRemedy.RAISE_BACKUP_LIMIT),
        refused.remedy());
    assertNothingIn(other);
  }

  @Test
  void anExistingVolumeIsReplacedOnlyWithForce() throws Exception {
    Path disk = volume(home, "data");
    write(disk, "/v", "first\n".getBytes(StandardCharsets.UTF_8));
    backup();
    write(disk, "/v2", "second\n".getBytes(StandardCharsets.UTF_8));
    byte[] changed = Files.readAllBytes(disk);

    InvalidInputException refused =
        assertThrows(InvalidInputException.class, () -> restore(home, ref, "data", false));
    assertTrue(refused.getMessage().contains("exists"), refused.getMessage());
    assertEquals(
        java.util.Optional.of(dev.appliance.runtime.host.RunRemedy.REPLACE_VOLUME),
        refused.remedy());
    assertArrayEquals(changed, Files.readAllBytes(disk));

    restore(home, ref, "data", true);
    assertEquals("first\n", cat(disk, "/v"));
    assertFalse(
        HostTool.runAllowingFailure(
                List.of("debugfs", "-R", "stat /v2", disk.toString()), tmp, HostTool.Options.SHORT)
            .stdout()
            .contains("Inode:"),
        "the file written after the backup is gone");
  }

  @Test
  void configParsingRefusesUnknownFieldsAndBadUuids() {
    BackupConfig good =
        new BackupConfig(
            "data",
            1 << 30,
            CHUNK,
            "ext4",
            "0b7e3e4c-2f3a-4c5e-9a7e-1d2c3b4a5f60",
            "web",
            "lamp:1",
            Instant.EPOCH);
    assertEquals(good, BackupConfig.parse(good.toJson(), 1L << 40, "t"));
    String json = new String(good.toJson(), StandardCharsets.UTF_8);
    for (String bad :
        List.of(
            json.replace("\"volume\"", "\"extra\":1,\"volume\""),
            json.replace("0b7e3e4c-2f3a-4c5e-9a7e-1d2c3b4a5f60", "x; rm -rf /"),
            json.replace("\"ext4\"", "\"xfs\""),
            json.replace("\"chunkSize\":" + CHUNK, "\"chunkSize\":1000"),
            json.replace("\"volume\":\"data\"", "\"volume\":\"../etc\""),
            json.replace("\"instance\":\"web\"", "\"instance\":\"a\\nb\""))) {
      assertThrows(
          InvalidInputException.class,
          () -> BackupConfig.parse(bad.getBytes(StandardCharsets.UTF_8), 1L << 40, "t"),
          bad);
    }
  }

  // --- helpers

  private ApplianceDirs dirs(String name) {
    return new ApplianceDirs(tmp.resolve(name).resolve("data"), tmp.resolve(name).resolve("state"));
  }

  private static Path volume(ApplianceDirs dirs, String name) {
    VolumeStore store = new VolumeStore(dirs);
    store.ensure(name, "64M");
    return store.disk(name);
  }

  /** Backs up volume "data" of the test's home to {@link #ref}. */
  private VolumeBackup.Result backup() {
    return backup(ref, RegistryOptions.defaults(), TransferListener.NONE);
  }

  /** Backs up volume "data" of the test's home to {@code reference}. */
  private VolumeBackup.Result backup(
      String reference, RegistryOptions options, TransferListener listener) {
    return new VolumeBackup(
            new InstanceManager(home), new VolumeStore(home), options, listener, CLOCK)
        .backup("data", reference, new VolumeBackup.Options(false, CHUNK), m -> {});
  }

  private static VolumeRestore.Result restore(
      ApplianceDirs dirs, String reference, String volume, boolean force) {
    return new VolumeRestore(
            new InstanceManager(dirs),
            new VolumeStore(dirs),
            RegistryOptions.defaults(),
            TransferListener.NONE)
        .restore(reference, volume, force, VolumeRestore.DEFAULT_MAX_SIZE);
  }

  private Path restoreDisk(VolumeRestore.Result result) {
    return new VolumeStore(dirs("other")).disk(result.volume());
  }

  private RemoteRepository repository() {
    return RemoteRepository.open(
        ImageReference.parse(ref), RegistryOptions.defaults(), TransferListener.NONE, true);
  }

  /** Writes a file into the ext4 image with debugfs (no mount, no root). */
  private void write(Path disk, String path, byte[] content) throws IOException {
    Path source = Files.createTempFile(tmp, "content", "");
    Files.write(source, content);
    HostTool.run(
        List.of("debugfs", "-w", "-R", "write " + source + " " + path, disk.toString()), tmp);
  }

  private String cat(Path disk, String path) {
    return HostTool.run(List.of("debugfs", "-R", "cat " + path, disk.toString()), tmp).stdout();
  }

  private static byte[] random(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return bytes;
  }

  private static String sha256(Path file) throws IOException {
    return Digest.sha256(Files.readAllBytes(file)).toString();
  }

  private long allocated(Path file) {
    String du = HostTool.run(List.of("du", "-B1", file.toString()), tmp).stdout();
    return Long.parseLong(du.split("\\s+")[0]);
  }

  /** A refused restore leaves no volume and no staging directory behind. */
  private static void assertNothingIn(ApplianceDirs dirs) throws IOException {
    Path volumes = dirs.data().resolve("volumes");
    if (Files.isDirectory(volumes)) {
      try (Stream<Path> entries = Files.list(volumes)) {
        List<String> left =
            entries.map(p -> p.getFileName().toString()).filter(n -> !n.equals(".lock")).toList();
        assertEquals(List.of(), left);
      }
    }
  }
}
