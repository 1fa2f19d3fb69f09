package dev.appliance.e2e.support;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The LAMP and snort appliances and the tests' tiny-web, each built once per test run and shared by
 * every suite that needs one (issue 18: the suites used to build them five times per CI run).
 *
 * <p>The first suite asking for one builds it with the repository's recipe and committed lock file
 * ({@code appliance build recipes/lamp/lamp.yaml}, the README's command) in an empty home of its
 * own under {@code target/e2e/shared/}: a cold build from fresh caches, which {@code
 * LampReproducibilityTest} uses as the first of its two builds. Later suites, in this JVM or
 * another, reuse it: a file lock serialises the build and a record of its digest marks it done. The
 * record is keyed by the CLI jar and the recipes' files, so a changed jar or recipe builds again
 * (and the stale build is deleted); a failed build is recorded too, so later suites fail at once
 * with its output instead of building again.
 *
 * <p>A suite never writes into the shared home. It takes a copy into its own {@link ApplianceCli}
 * home with {@link Build#copyInto} (store and caches; the big immutable parts hard-linked, so a
 * copy costs a second) and then does what it likes there: push, rmi, gc, rebuild.
 */
public enum SharedAppliance {
  LAMP("lamp", "recipes/lamp/lamp.yaml", "lamp:1.1.0"),
  SNORT("snort", "recipes/snort/snort.yaml", "snort:1.0.0"),
  /** The smallest bootable appliance (base plus busybox's web server), for the run suites. */
  TINY_WEB("tiny-web", "tests/src/test/resources/recipes/tiny-web/tiny-web.yaml", "tiny-web:0.1.0");

  private static final Duration BUILD = Duration.ofMinutes(40);

  /** Cache directories whose files are never rewritten in place: shared by hard links. */
  private static final Set<String> LINKED = Set.of("blobs", "layers", "layers-userns", "debs");

  /** A build's scratch and locks, and rebuild checkouts: never copied. */
  private static final Set<String> SKIPPED = Set.of("build-tmp", "rebuild", "git", "build.lock");

  private final String name;
  private final String recipe;
  private final String tag;

  SharedAppliance(String name, String recipe, String tag) {
    this.name = name;
    this.recipe = recipe;
    this.tag = tag;
  }

  /** The repository's recipe, relative to the repository (the CLI's working directory). */
  public String recipe() {
    return recipe;
  }

  /** The tag the recipe builds, e.g. {@code lamp:1.1.0}. */
  public String tag() {
    return tag;
  }

  /**
   * One shared build.
   *
   * @param home its APPLIANCE_HOME: read it, never write it (take a {@link #copyInto copy})
   * @param digest the manifest digest of {@link SharedAppliance#tag()}
   * @param buildTime how long the cold build took
   */
  public record Build(SharedAppliance appliance, Path home, String digest, Duration buildTime) {
    /**
     * Gives {@code cli}'s home, which must hold no store yet, this build's store (the image under
     * its tag) and caches (layers, .debs, apt lists). Returns the image's digest.
     */
    public String copyInto(ApplianceCli cli) {
      copyStoreInto(cli);
      copyChildren(home.resolve("data/cache"), cli.home().resolve("data/cache"));
      return digest;
    }

    /**
     * Gives {@code cli}'s home, which must hold no store yet, this build's store (the image under
     * its tag) and no cache at all: what a rebuild from cleared caches starts from. Returns the
     * image's digest.
     */
    public String copyStoreInto(ApplianceCli cli) {
      Path target = cli.home().resolve("data");
      if (Files.exists(target.resolve("store"))) {
        fail(cli.home() + " already has a store: copy a shared build into an empty home");
      }
      copyChildren(home.resolve("data/store"), target.resolve("store"));
      return digest;
    }

    /** A CLI on the shared home, for commands that only read: inspect, images, diff. */
    public ApplianceCli reader(String suite) {
      return ApplianceCli.inDirectory(home.getParent(), "steps-" + suite);
    }

    private static void copyChildren(Path from, Path to) {
      try (Stream<Path> children = Files.list(from)) {
        Files.createDirectories(to);
        for (Path child : children.sorted().toList()) {
          String name = child.getFileName().toString();
          if (SKIPPED.contains(name)) {
            continue;
          }
          List<String> cp = new ArrayList<>(List.of("cp", "-a"));
          if (LINKED.contains(name)) {
            cp.add("--link");
          }
          cp.addAll(List.of(child.toString(), to.toString()));
          BuildUser.exec(cp);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot copy " + from + " to " + to, e);
      }
    }
  }

  /** This run's build, made now when there is none (a cold build, several minutes). */
  public Build build() {
    Path root = E2eEnvironment.work().resolve("shared");
    // Threads of this JVM wait here; other JVMs (forked suites) on the file lock.
    synchronized (SharedAppliance.class) {
      try {
        Files.createDirectories(root);
        try (FileChannel channel =
                FileChannel.open(
                    root.resolve(name + ".lock"),
                    StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE);
            FileLock ignored = channel.lock()) {
          return buildLocked(root);
        }
      } catch (IOException e) {
        throw new UncheckedIOException("cannot prepare the shared " + name + " build", e);
      }
    }
  }

  private Build buildLocked(Path root) throws IOException {
    Path dir = root.resolve(name + "-" + inputsKey());
    Path done = dir.resolve("built");
    Path failed = dir.resolve("failed");
    if (Files.isRegularFile(done)) {
      List<String> record = Files.readAllLines(done);
      return new Build(
          this,
          dir.resolve("home"),
          record.get(0),
          Duration.ofMillis(Long.parseLong(record.get(1))));
    }
    if (Files.isRegularFile(failed)) {
      fail("the shared " + name + " build of this run failed:\n" + Files.readString(failed));
    }
    try (Stream<Path> old = Files.list(root)) {
      BuildUser.removeTrees(
          old.filter(p -> p.getFileName().toString().startsWith(name + "-")).toList());
    }
    ApplianceCli cli = ApplianceCli.inDirectory(dir, "steps");
    CliResult result = cli.run(BUILD, "build", recipe);
    if (result.exitCode() != 0) {
      Files.writeString(
          failed,
          "appliance build " + recipe + " -> exit " + result.exitCode() + "\n" + result.stderr());
    }
    String digest = result.assertSuccess().digestOf(tag);
    Files.writeString(done, digest + "\n" + result.elapsed().toMillis() + "\n");
    return new Build(this, cli.home(), digest, result.elapsed());
  }

  /** SHA-256 of the CLI jar and of every file of the recipes this appliance is built from. */
  private String inputsKey() throws IOException {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      try (InputStream jar = Files.newInputStream(E2eEnvironment.jar())) {
        jar.transferTo(new DigestOutputStream(OutputStream.nullOutputStream(), sha));
      }
      Path repository = E2eEnvironment.repository();
      Path base = repository.resolve("recipes/base");
      for (Path dir : List.of(base, repository.resolve(recipe).getParent())) {
        try (Stream<Path> files = Files.walk(dir)) {
          for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
            sha.update(repository.relativize(file).toString().getBytes(StandardCharsets.UTF_8));
            sha.update(Files.readAllBytes(file));
          }
        }
      }
      return HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
