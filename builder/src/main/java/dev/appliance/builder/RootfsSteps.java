package dev.appliance.builder;

import dev.appliance.common.ApplianceException;
import dev.appliance.common.InvalidInputException;
import dev.appliance.recipe.Recipe;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Produces the directory of one layer: the base with mmdebstrap (root mode, also inside a rootless
 * {@link UserNamespace}), the others as the upper directory of an overlayfs stacked on the layers
 * below.
 */
final class RootfsSteps {
  private static final Pattern MISSING_PACKAGE =
      Pattern.compile(
          "(?:Unable to locate package |Package '?)([a-z0-9][a-z0-9+.-]+)'?(?: has no installation candidate)?");

  private final BuildEnvironment env;
  private final DebianMirror mirror;
  private final LockFile lock;
  private final List<String> suites;
  private final Recipe leaf;
  private final Supplier<CachedDebRepository> cachedDebs;
  private final StepStop baseStop;

  /**
   * Whether apt's shared lists were refreshed by this build already (mmdebstrap or an earlier
   * step).
   */
  private boolean listsRefreshed;

  /**
   * @param cachedDebs the repository of the locked versions the mirror dropped, asked by every step
   *     that installs packages (it decides when to check, and remembers the answer: {@link
   *     LockedVersionsCheck})
   * @param baseStop what stops the base step's mmdebstrap when the build must end early
   */
  RootfsSteps(
      BuildEnvironment env,
      DebianMirror mirror,
      LockFile lock,
      List<String> suites,
      Recipe leaf,
      Supplier<CachedDebRepository> cachedDebs,
      StepStop baseStop) {
    this.env = env;
    this.mirror = mirror;
    this.lock = lock;
    this.suites = suites;
    this.leaf = leaf;
    this.cachedDebs = cachedDebs;
    this.baseStop = baseStop;
  }

  /**
   * Builds the layer's directory {@code tree} (which must not exist yet), using {@code work} for
   * scratch files.
   */
  void produce(LayerPlan.Step step, List<Path> lowerTrees, Path work, Path tree) {
    if (step.kind() == LayerPlan.Kind.BASE) {
      base(step, work, tree);
      return;
    }
    Path upper = mkdir(tree);
    Path merged = mkdir(work.resolve("merged"));
    List<Path> lowers = new ArrayList<>(lowerTrees);
    Collections.reverse(lowers); // overlayfs lists the topmost lower directory first
    Mounts.mount(
        "-t",
        "overlay",
        "overlay",
        "-o",
        "lowerdir="
            + String.join(":", lowers.stream().map(Path::toString).toList())
            + ",upperdir="
            + upper
            + ",workdir="
            + mkdir(work.resolve("work"))
            // No redirects (a renamed directory is copied whole) and no metacopy: an upper
            // directory that
            // a tar of it describes completely. A user namespace cannot set trusted.* xattrs:
            // overlayfs
            // then keeps its markers in user.overlay.*, and only accepts redirect_dir=nofollow.
            + (env.userNamespace() ? ",userxattr,redirect_dir=nofollow" : ",redirect_dir=off")
            + ",metacopy=off,index=off,xino=off",
        merged.toString());
    try {
      try (ChrootSession session = session(merged, step)) {
        if (step.kind() == LayerPlan.Kind.PACKAGES) {
          packages(session, step);
        } else {
          files(session, step.recipe());
        }
      }
      RootfsCleaner.clean(merged);
      RootfsCleaner.emptyStateDirs(merged, step.stateDirs());
      if (step.kind() == LayerPlan.Kind.PACKAGES) {
        KernelFiles.linkUmlModules(merged);
      }
    } finally {
      Mounts.unmountAllUnder(merged);
    }
  }

  /**
   * A base with a kernel made its initramfs twice: in the kernel's postinst (update-initramfs -c),
   * then in initramfs-tools' trigger once every package was configured (-u; 5 s each for LAMP's).
   * mmdebstrap runs with INITRD=No, which only the kernel's hooks read: the first is skipped, and
   * the trigger, which only updates an initramfs that exists, finds none. This hook then makes each
   * one, once every package is configured as the trigger would, and links /initrd.img to it as the
   * kernel's postinst would have (without INITRD=No, which also means "no initramfs link" to it).
   */
  private static final String INITRD_HOOK =
      "--customize-hook=for k in \"$1\"/boot/vmlinuz-*; do [ -e \"$k\" ] || continue;"
          + " v=${k##*/vmlinuz-}; [ ! -e \"$1/boot/initrd.img-$v\" ] || continue;"
          + " if [ -x \"$1/usr/sbin/update-initramfs\" ]; then chroot \"$1\" update-initramfs -c -k \"$v\";"
          + " elif [ -x \"$1/usr/bin/dracut\" ]; then chroot \"$1\" dracut --kver \"$v\";"
          + " fi || exit 1;"
          + " [ ! -x \"$1/usr/bin/linux-update-symlinks\" ]"
          + " || chroot \"$1\" env -u INITRD linux-update-symlinks install \"$v\" \"/boot/vmlinuz-$v\" || exit 1; done";

  private void base(LayerPlan.Step step, Path work, Path tree) {
    Recipe r = step.recipe();
    Recipe.Base b = r.base();
    Path debs = env.debCache();
    mkdir(debs);
    // --verbose: apt's own lines, which carry the download sizes (AptProgress) and a failure's
    // cause.
    List<String> command =
        new ArrayList<>(
            List.of(
                "mmdebstrap",
                "--verbose",
                "--mode=root",
                "--format=directory",
                "--variant=" + b.variant(),
                "--components=" + String.join(",", b.components())));
    if (!step.packages().isEmpty()) {
      command.add("--include=" + String.join(",", step.packages()));
    }
    for (String option : env.aptOptions()) {
      int eq = option.indexOf('=');
      command.add("--aptopt=" + option.substring(0, eq) + " \"" + option.substring(eq + 1) + "\"");
    }
    if (suites.size() > 1) {
      command.add("--aptopt=APT::Default-Release \"" + b.suite() + "\"");
    }
    // apt downloads into the .deb cache and the shared lists directory: both bound over the
    // target's directories while mmdebstrap runs, so later steps find them without downloading
    // again.
    mkdir(env.aptLists());
    command.add(
        "--setup-hook=mkdir -p \"$1/var/cache/apt/archives\" \"$1/var/lib/apt/lists\""
            + " && mount --bind "
            + quote(debs.toString())
            + " \"$1/var/cache/apt/archives\""
            + " && mount --bind "
            + quote(env.aptLists().toString())
            + " \"$1/var/lib/apt/lists\"");
    command.addAll(cachedDebHooks(work, tree));
    if (lock != null) {
      Path prefs = work.resolve("lock.pref");
      write(prefs, lock.aptPreferences());
      command.add(
          "--setup-hook=mkdir -p \"$1/etc/apt/preferences.d\" && cp "
              + quote(prefs.toString())
              + " \"$1/etc/apt/preferences.d/appliance-lock.pref\"");
    }
    command.add(INITRD_HOOK);
    command.add("--customize-hook=umount \"$1/var/cache/apt/archives\" \"$1/var/lib/apt/lists\"");
    command.add("--skip=essential/unlink");
    command.add(b.suite());
    command.add(tree.toString());
    for (String suite : suites) {
      command.add(sourceLine(b, suite));
    }
    Processes.Result result =
        Processes.run(
            command,
            Map.of("SOURCE_DATE_EPOCH", Long.toString(env.sourceDateEpoch()), "INITRD", "No"),
            null,
            env.log(),
            false,
            baseStop);
    Mounts.unmountAllUnder(tree);
    if (result.exitCode() != 0) {
      throw explain(result, r, "mmdebstrap " + b.suite());
    }
    listsRefreshed = true;
    if (!r.groups().isEmpty() || !r.users().isEmpty()) {
      try (ChrootSession session = session(tree, step)) {
        r.groups().forEach(g -> session.addGroup(g, r.source()));
        r.users().forEach(u -> session.addUser(u, r.source()));
      }
    }
    // base-files ships /dev, /proc and /sys with one time stamp; without mknod (rootless)
    // mmdebstrap
    // bind-mounts devices onto placeholder files in /dev, whose removal changes its time stamp.
    Processes.check(
        List.of(
            "touch",
            "--no-dereference",
            "--reference=" + tree.resolve("proc"),
            tree.resolve("dev").toString()));
    RootfsCleaner.clean(tree);
    RootfsCleaner.emptyStateDirs(tree, step.stateDirs());
    RootfsCleaner.resetHostFiles(tree);
    if (suites.size() > 1) {
      write(
          tree.resolve("etc/apt/apt.conf.d/99appliance-default-release"),
          "APT::Default-Release \"" + b.suite() + "\";\n");
    }
    KernelFiles.linkUmlModules(tree);
  }

  /**
   * A session on {@code root} for {@code step}; a refused mount point names the recipe and the
   * layer.
   */
  private ChrootSession session(Path root, LayerPlan.Step step) {
    try {
      return new ChrootSession(root, env);
    } catch (InvalidInputException e) {
      // Only a lower layer can have left it (a cached one made before run steps were checked):
      // rebuilding it names the run step.
      throw new InvalidInputException(
          step.recipe().source()
              + ": layer '"
              + step.name()
              + "': "
              + e.getMessage()
              + " (left by a layer below)",
          BuildRemedy.REBUILD_WITHOUT_CACHE,
          e);
    }
  }

  /**
   * mmdebstrap hooks that mount the repository of cached locked .debs into the target and list it
   * as an apt source, and remove both before the tree is finished. apt runs outside the target and
   * hands dpkg inside it the same paths with the target's prefix stripped, so the source names the
   * mount point by its host path.
   */
  private List<String> cachedDebHooks(Path work, Path tree) {
    CachedDebRepository cached = cachedDebs.get();
    if (cached.isEmpty()) {
      return List.of();
    }
    Path list = work.resolve(CachedDebRepository.LIST_NAME);
    write(list, CachedDebRepository.sourceLine(tree + CachedDebRepository.MOUNT_POINT) + "\n");
    String mountPoint = "\"$1" + CachedDebRepository.MOUNT_POINT + "\"";
    String listInTarget = "\"$1/etc/apt/sources.list.d/" + CachedDebRepository.LIST_NAME + "\"";
    return List.of(
        "--setup-hook=mkdir -p "
            + mountPoint
            + " && mount -o ro,bind "
            + quote(cached.dir().toString())
            + " "
            + mountPoint
            + " && cp "
            + quote(list.toString())
            + " "
            + listInTarget,
        "--customize-hook=rm -f "
            + listInTarget
            + " && umount "
            + mountPoint
            + " && rmdir "
            + mountPoint);
  }

  private void packages(ChrootSession session, LayerPlan.Step step) {
    Recipe r = step.recipe();
    r.groups().forEach(g -> session.addGroup(g, r.source()));
    if (!step.packages().isEmpty()) {
      Processes.Result result =
          session.install(
              step.packages(),
              lock == null ? null : lock.aptPreferences(),
              cachedDebs.get(),
              !listsRefreshed,
              unneededSources(step));
      if (result.exitCode() != 0) {
        throw explain(result, r, "apt-get install");
      }
      listsRefreshed = true;
    }
    r.users().forEach(u -> session.addUser(u, r.source()));
  }

  /** The source lines of the suites this packages step does not install from. */
  private List<String> unneededSources(LayerPlan.Step step) {
    Recipe.Base b = leaf.base();
    return LayerPlan.suitesNotNeeded(suites, b.suite(), step.packages()).stream()
        .map(suite -> sourceLine(b, suite))
        .toList();
  }

  /** The line mmdebstrap writes to the image's sources.list for {@code suite}. */
  private String sourceLine(Recipe.Base b, String suite) {
    return "deb "
        + env.mirror()
        + " "
        + suite
        + " "
        + (suite.equals(b.suite()) ? String.join(" ", b.components()) : "main");
  }

  private void files(ChrootSession session, Recipe r) {
    r.files().forEach(f -> session.installFile(f, r.source()));
    if (r.configuresNetworks()) {
      session.writeFiles(GuestNetworks.of(r.networks()), r.source());
    }
    for (int i = 0; i < r.run().size(); i++) {
      session.run(r.run().get(i), r.source(), i + 1);
    }
    session.services(LayerPlan.services(r), r.source());
  }

  /**
   * Turns a failed package installation into a message naming the cause: a package that does not
   * exist (with close matches from the mirror's index), an unreachable mirror, or the tool's
   * output.
   */
  private RuntimeException explain(Processes.Result result, Recipe r, String what) {
    String tail = result.tail();
    Set<String> missing = new TreeSet<>();
    Matcher m = MISSING_PACKAGE.matcher(tail);
    while (m.find()) {
      missing.add(m.group(1));
    }
    if (!missing.isEmpty()) {
      Map<String, Set<String>> index;
      try {
        index = mirror.packageVersions(r.base().suite(), r.base().components());
      } catch (ApplianceException e) {
        index = Map.of();
      }
      StringBuilder msg = new StringBuilder(r.source() + ": ");
      for (String name : missing) {
        msg.append("package '")
            .append(name)
            .append("' does not exist in ")
            .append(r.base().distribution())
            .append(' ')
            .append(r.base().suite());
        List<String> close = DebianMirror.closeMatches(name, index.keySet());
        msg.append(close.isEmpty() ? "" : " (close matches: " + String.join(", ", close) + ")")
            .append("; ");
      }
      return new InvalidInputException(msg.substring(0, msg.length() - 2));
    }
    if (tail.contains("Could not resolve")
        || tail.matches("(?s).*Failed to fetch https?://.*")
        || tail.contains("Unable to connect")
        || tail.contains("Connection failed")
        || tail.contains("Temporary failure resolving")) {
      return new ApplianceException(
          what + ": the mirror " + env.mirror() + " is unreachable:\n" + tail);
    }
    return new ApplianceException(
        r.source() + ": " + what + " failed with exit code " + result.exitCode() + ":\n" + tail);
  }

  private static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }

  private static Path mkdir(Path dir) {
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void write(Path file, String content) {
    try {
      Files.writeString(file, content);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Lists a directory's entry names, sorted; empty when it does not exist. */
  static List<String> list(Path dir) {
    List<String> names = new ArrayList<>();
    if (Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
      try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
        stream.forEach(p -> names.add(p.getFileName().toString()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    Collections.sort(names);
    return names;
  }
}
