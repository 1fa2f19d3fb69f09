package dev.appliance.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.oci.Manifest;
import dev.appliance.store.ImageStore;
import dev.appliance.store.StoreVerifier;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Crashes and damage with real processes and a real docker-registry: a pull and a store writer
 * killed with SIGKILL leave a store that verifies clean; truncated and altered blobs are found by
 * verify and fetched again by the next pull. (A SIGKILL shows what a crash of appliance leaves; a
 * power loss, which the fsyncs are for, cannot be staged here.)
 */
class StoreCrashTest {
  private static final int BIG = 8 << 20;

  @TempDir Path dir;
  RegistryServer registry;
  ImageStore source;
  TestImages.Layer big;
  Manifest manifest;
  Process child;

  @BeforeEach
  void setUp() throws IOException {
    registry = RegistryServer.plain(dir.resolve("registry"));
    source = ImageStore.open(dir.resolve("source"));
    big = TestImages.layer(source, 90, BIG);
    manifest =
        TestImages.image(source, "app:1", List.of(TestImages.layer(source, 91, 20_000), big));
    new ImagePusher(source, options(), TransferListener.NONE).push("app:1", remote());
  }

  @AfterEach
  void tearDown() throws InterruptedException {
    if (child != null) {
      child.destroyForcibly();
      child.waitFor();
    }
    registry.close();
  }

  private static RegistryOptions options() {
    return RegistryOptions.defaults()
        .withRetry(new RetryPolicy(2, Duration.ofMillis(50)))
        .withDockerConfig(Path.of("/nonexistent/config.json"));
  }

  private String remote() {
    return registry.host() + "/crash/app:1";
  }

  private Process java(Class<?> main, String... args) throws IOException {
    List<String> command =
        new java.util.ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp",
                System.getProperty("java.class.path"),
                main.getName()));
    command.addAll(List.of(args));
    return new ProcessBuilder(command).redirectError(dir.resolve("child.err").toFile()).start();
  }

  private static void killHard(Process process) throws InterruptedException {
    process.destroyForcibly(); // SIGKILL
    assertTrue(process.waitFor(20, TimeUnit.SECONDS));
  }

  private static long largestPart(Path store) throws IOException {
    try (Stream<Path> temps = Files.list(store.resolve("tmp"))) {
      return temps.mapToLong(p -> p.toFile().length()).max().orElse(0);
    }
  }

  private static void assertClean(ImageStore store) {
    StoreVerifier.Report report = new StoreVerifier(store).verify(false);
    assertTrue(report.clean(), report.problems().toString());
  }

  @Test
  void aPullKilledMidBlobLeavesACleanStoreAndTheNextPullCompletesIt() throws Exception {
    Path storeDir = dir.resolve("pulled");
    ImageStore.open(storeDir);
    child = java(PullMain.class, storeDir.toString(), remote());
    Instant deadline = Instant.now().plusSeconds(60);
    while (largestPart(storeDir) < BIG / 8 && Instant.now().isBefore(deadline) && child.isAlive()) {
      Thread.sleep(10);
    }
    assertTrue(
        child.isAlive(),
        "the pull must still be running: " + Files.readString(dir.resolve("child.err")));
    long partial = largestPart(storeDir);
    killHard(child);
    assertTrue(partial >= BIG / 8 && partial < BIG, "killed mid-blob: " + partial);

    ImageStore store = ImageStore.open(storeDir);
    assertEquals(List.of(), store.tags(), "no tag for a pull that did not finish");
    assertFalse(
        store.hasBlob(big.descriptor().digest()), "a partial blob never takes the blob's name");
    assertClean(store);

    PullResult again = new ImagePuller(store, options(), TransferListener.NONE).pull(remote());
    assertEquals(manifest.digest(), again.digest());
    assertClean(store);
    assertTrue(store.gc().blobsRemoved() >= 1, "gc removes the killed pull's partial file");
    assertClean(store);
  }

  @Test
  void aStoreWriterKilledAtRandomMomentsNeverLeavesADamagedTagOrBlob() throws Exception {
    Path storeDir = dir.resolve("written");
    Random random = new Random(7);
    for (int round = 0; round < 3; round++) {
      child = java(StoreWriterMain.class, storeDir.toString());
      BufferedReader out =
          new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      assertEquals("ready", out.readLine(), () -> readQuietly(dir.resolve("child.err")));
      Thread.sleep(200 + random.nextInt(1200));
      killHard(child);
      ImageStore store = ImageStore.open(storeDir);
      assertClean(store);
      assertFalse(store.tags().isEmpty());
      for (ImageStore.Tag tag : store.tags()) {
        assertEquals(tag.manifest().digest(), store.get(tag.name()).manifest().digest());
      }
    }
    child = null;
  }

  @Test
  void truncatedAndAlteredBlobsAreFoundByVerifyAndFetchedAgainByTheNextPull() throws Exception {
    ImageStore store = ImageStore.open(dir.resolve("damaged"));
    new ImagePuller(store, options(), TransferListener.NONE).pull(remote());
    Path bigFile = store.blobPath(big.descriptor().digest());
    Path config = store.blobPath(manifest.config().digest());

    try (RandomAccessFile file = new RandomAccessFile(bigFile.toFile(), "rw")) {
      file.setLength(BIG / 2); // truncated
    }
    Files.writeString(
        config,
        Files.readString(config).replace('{', '['),
        StandardCharsets.UTF_8); // altered, same size
    List<StoreVerifier.Problem> problems = new StoreVerifier(store).verify(false).problems();
    assertEquals(2, problems.size(), problems.toString());
    assertTrue(
        problems.stream().allMatch(p -> p.advice().contains("appliance pull " + remote())),
        problems.toString());

    PullResult repaired = new ImagePuller(store, options(), TransferListener.NONE).pull(remote());
    assertEquals(manifest.digest(), repaired.digest());
    assertEquals(
        2,
        repaired.blobsReceived(),
        "the two damaged blobs were fetched again, the intact one skipped");
    assertClean(store);
  }

  private static String readQuietly(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      return e.toString();
    }
  }
}
