package dev.appliance.runtime.disk;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.InvalidInputException;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Layer entries a hostile image can hold: each is refused while the layer is read, with an {@link
 * InvalidInputException} naming the image, its digest, the layer digest and the entry, and nothing
 * is left in the disk cache.
 */
class HostileLayerTest {
  private static final long SIZE = 64L << 20;
  private static final String LAYER_DIGEST = "sha256:" + "ab".repeat(32);

  @TempDir Path tmp;
  Path cache;
  Path blob;

  @BeforeEach
  void setUp() throws IOException {
    cache = Files.createDirectory(tmp.resolve("cache"));
    // Stored like the image store keeps blobs, so messages name the layer digest.
    blob = Files.createDirectories(tmp.resolve("blobs/sha256")).resolve(LAYER_DIGEST.substring(7));
  }

  static Stream<Character> controlCharacters() {
    return Stream.concat(IntStream.range(1, 0x20).mapToObj(c -> (char) c), Stream.of((char) 0x7f));
  }

  @ParameterizedTest
  @MethodSource("controlCharacters")
  void everyControlCharacterInANameIsRefused(char c) throws IOException {
    String message = refused(new TestLayer().dir("./", 0755, 0, 0).file("a" + c + "b", "x"), SIZE);
    assertTrue(message.contains(String.format("control character 0x%02x", (int) c)), message);
    assertTrue(
        message.contains(String.format("'a\\x%02xb'", (int) c)), "printed escaped: " + message);
  }

  @ParameterizedTest
  @MethodSource("controlCharacters")
  void everyControlCharacterInALinkTargetIsRefused(char c) throws IOException {
    String message =
        refused(
            new TestLayer().dir("./", 0755, 0, 0).symlink("s", "t" + c + "!touch /tmp/x"), SIZE);
    assertTrue(message.contains("link target holds the control character"), message);
  }

  @Test
  void aControlCharacterInAHardLinkTargetIsRefused() throws IOException {
    String message =
        refused(new TestLayer().file("f", "x").hardLink("h", "f\n!touch /tmp/x"), SIZE);
    assertTrue(message.contains("link target holds the control character 0x0a"), message);
  }

  @Test
  void messagesNameImageDigestLayerDigestAndEntry() throws IOException {
    String message = refused(new TestLayer().file("bad\u001b[31m", "x"), SIZE);
    assertTrue(
        message.startsWith(
            "test:1 (sha256:0123) layer 1 " + LAYER_DIGEST + ": entry 'bad\\x1b[31m' refused"),
        message);
    assertEquals(
        "a\\u009b31mb\\x5c",
        EntryChecks.printable("a\u009b31mb\\"),
        "C1 controls and backslashes escaped");
  }

  @Test
  void nonAsciiNamesAreAccepted() throws IOException {
    new TestLayer()
        .dir("./", 0755, 0, 0)
        .file("café-日本", "x")
        .symlink("ß", "café-日本")
        .writeTo(blob);
    Path disk = new DiskAssembler(cache).assemble(image(), SIZE);
    assertTrue(Files.size(disk) > 0);
  }

  @Test
  void overLongComponentsPathsAndLinkTargetsAreRefused() throws IOException {
    assertTrue(
        refused(new TestLayer().file("d/" + "n".repeat(256), "x"), SIZE)
            .contains("a component is longer than 255 bytes"));
    String deep = ("d".repeat(200) + "/").repeat(21) + "f";
    assertTrue(refused(new TestLayer().file(deep, "x"), SIZE).contains("longer than 4095 bytes"));
    // 8 KiB: the rest of the debugfs line would have been read as a command of its own.
    String target = "x".repeat(8000) + " ".repeat(400) + "!touch /tmp/canary #";
    assertTrue(
        refused(new TestLayer().symlink("s", target), SIZE)
            .contains("link target longer than 4095 bytes"));
  }

  @Test
  void xattrNamesWithLineBreaksOrOutsideLinuxNamespacesAreRefused() throws IOException {
    String injected =
        refused(
            new TestLayer()
                .fileWithRawSchilyXattr("f", "x", "user.a\n!touch /tmp/canary #", new byte[] {1}),
            SIZE);
    assertTrue(
        injected.contains(
            "'user.a\\x0a!touch /tmp/canary #': xattr name holds the control character 0x0a"),
        injected);
    String libarchive =
        refused(new TestLayer().fileWithXattrs("f", "x", Map.of("user.b\r", new byte[] {1})), SIZE);
    assertTrue(libarchive.contains("control character 0x0d"), libarchive);
    assertTrue(
        refused(new TestLayer().fileWithXattrs("f", "x", Map.of("evil.name", new byte[] {1})), SIZE)
            .contains("outside the namespaces"));
    assertTrue(
        refused(
                new TestLayer()
                    .fileWithXattrs("f", "x", Map.of("user." + "n".repeat(251), new byte[] {1})),
                SIZE)
            .contains("xattr name longer than 255 bytes"));
    assertTrue(
        refused(new TestLayer().fileWithXattrs("f", "x", Map.of("user.big", new byte[65537])), SIZE)
            .contains("xattr value longer than 65536 bytes"));
  }

  @ParameterizedTest
  @ValueSource(strings = {".wh.", ".wh..", "etc/.wh.."})
  void whiteoutsOfTheRootOrOfNothingAreRefused(String name) throws IOException {
    String message =
        refused(new TestLayer().dir("./", 0755, 0, 0).dir("etc", 0755, 0, 0).file(name, ""), SIZE);
    assertTrue(message.contains("a whiteout must name a file"), message);
  }

  @Test
  void escapingNamesAndLinksAreRefused() throws IOException {
    assertTrue(refused(new TestLayer().file("/etc/passwd", "x"), SIZE).contains("absolute path"));
    assertTrue(
        refused(new TestLayer().file("a/../../etc/passwd", "x"), SIZE)
            .contains("'..' in the path"));
    assertTrue(
        refused(new TestLayer().hardLink("h", "/etc/shadow"), SIZE)
            .contains("absolute path in link target"));
    assertTrue(
        refused(new TestLayer().hardLink("h", "../../etc/shadow"), SIZE)
            .contains("'..' in the path"));
    assertTrue(
        refused(new TestLayer().hardLink("h", "later"), SIZE).contains("is not in the image"));
    assertTrue(
        refused(new TestLayer().symlink("up", "../../.."), SIZE)
            .contains("points outside the image"));
  }

  @Test
  void filesBeyondTheDiskSizeAreRefusedBeforeTheyAreStaged() throws IOException {
    // 64 MiB of zeros are 64 KiB of gzip: the disk size, not the blob size, bounds what is written.
    String message = refused(new TestLayer().file("zeros", new byte[(int) SIZE + 1], 0644), SIZE);
    assertTrue(
        message.contains("'zeros' refused") && message.contains("past 67108864 bytes"), message);
  }

  @Test
  void dataHiddenInAFifoEntryCountsToo() throws IOException {
    TestLayer layer = new TestLayer().dir("./", 0755, 0, 0);
    layer.rawEntry("fifo", TarConstants.LF_FIFO, new byte[(int) SIZE + 1]);
    String message = refused(layer, SIZE);
    assertTrue(
        message.contains("'fifo' refused") && message.contains("past 67108864 bytes"), message);
  }

  @Test
  void xattrValuesCountTowardsTheDiskSize() throws IOException {
    TestLayer layer = new TestLayer().dir("./", 0755, 0, 0);
    byte[] value = new byte[60 * 1024];
    for (int i = 0; i < 300; i++) {
      layer.fileWithXattrs("f" + i, "", Map.of("user.v", value));
    }
    String message = refused(layer, DiskAssembler.MIN_SIZE_BYTES);
    assertTrue(message.contains("past 16777216 bytes"), message);
  }

  @Test
  void moreEntriesThanTheDiskHasInodesAreRefused() throws IOException {
    TestLayer layer = new TestLayer().dir("./", 0755, 0, 0);
    long limit = DiskAssembler.MIN_SIZE_BYTES / 4096;
    for (int i = 0; i < limit; i++) {
      layer.file("f" + i, "");
    }
    String message = refused(layer, DiskAssembler.MIN_SIZE_BYTES);
    assertTrue(message.contains("more than " + limit + " entries"), message);
  }

  @Test
  void anOversizedPaxHeaderIsRefusedBeforeItIsRead() throws IOException {
    String message =
        refused(
            new TestLayer().fileWithRawSchilyXattr("f", "x", "user.big", new byte[2 << 20]), SIZE);
    assertTrue(
        message.contains("extended tar header ('x') of")
            && message.contains("at most 1048576 bytes"),
        message);
  }

  @Test
  void aChainOfPaxHeadersIsRefused() throws IOException {
    TestLayer layer = new TestLayer();
    for (int i = 0; i < LayerLimits.MAX_HEADERS_PER_ENTRY; i++) {
      layer.rawPaxOnly("user.n" + i);
    }
    String message =
        refused(layer.fileWithRawSchilyXattr("f", "x", "user.last", new byte[] {1}), SIZE);
    assertTrue(message.contains("extended tar headers in a row"), message);
  }

  @Test
  void aLayerThatIsNotATarIsAnInvalidImage() throws IOException {
    byte[] garbage = new byte[1024];
    new java.util.Random(7).nextBytes(garbage);
    try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(blob))) {
      out.write(garbage);
    }
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class, () -> new DiskAssembler(cache).assemble(image(), SIZE));
    assertTrue(e.getMessage().contains(LAYER_DIGEST + ": not a valid tar layer"), e.getMessage());
  }

  @Test
  void debugfsScriptLinesNeverHoldLineBreaksOrExceedTheLineBuffer() {
    StringWriter out = new StringWriter();
    assertThrows(
        InvalidInputException.class,
        () -> DebugfsScript.line(out, "sif \"/a\n!touch /tmp/x\" mode 0644"));
    assertThrows(
        InvalidInputException.class, () -> DebugfsScript.line(out, "sif \"/a\r\" mode 0644"));
    assertThrows(
        InvalidInputException.class,
        () -> DebugfsScript.line(out, "symlink \"a\" \"" + "x".repeat(8000) + "\""));
    assertEquals("", out.toString(), "nothing written");
  }

  @Test
  void libraryNamesFromElfFilesMustBePlainAndLoadersAbsolute() {
    assertNull(EntryChecks.fileNameProblem("libc.so.6"));
    assertNull(EntryChecks.absolutePathProblem("/lib64/ld-linux-x86-64.so.2"));
    for (String bad : List.of("../../../tmp/x", "a/b", "..", ".", "", "lib\n!x", "l".repeat(256))) {
      assertTrue(EntryChecks.fileNameProblem(bad) != null, bad);
    }
    for (String bad :
        List.of(
            "lib/ld.so",
            "/lib/../../tmp/ld.so",
            "/lib//ld.so",
            "/lib/ld\u0000.so",
            "/" + "l".repeat(4095))) {
      assertTrue(EntryChecks.absolutePathProblem(bad) != null, bad);
    }
  }

  private ImageLayers image() {
    return new ImageLayers("test:1", "sha256:0123", List.of(blob));
  }

  /** Assembles an image of {@code layer}: must be refused, leaving no disk; returns the message. */
  private String refused(TestLayer layer, long size) throws IOException {
    layer.writeTo(blob);
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class, () -> new DiskAssembler(cache).assemble(image(), size));
    try (Stream<Path> left = Files.list(cache)) {
      assertEquals(List.of(cache.resolve(".locks")), left.toList(), "nothing cached");
    }
    return e.getMessage();
  }
}
