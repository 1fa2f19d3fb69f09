package dev.appliance.builder;

import dev.appliance.common.ApplianceDirs;
import dev.appliance.recipe.Recipe;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * Resolves a build's inputs: the mirror (option, then recipe, then the host's apt sources), the
 * lock file, the suites' release dates (from the lock when it covers them, else the mirror) and the
 * plan.
 */
final class ResolveInputsStep implements Callable<BuildInputs> {
  private final ApplianceDirs dirs;
  private final Recipe recipe;
  private final BuildOptions options;
  private final Timings timings;
  private final BuildListener listener;

  ResolveInputsStep(
      ApplianceDirs dirs,
      Recipe recipe,
      BuildOptions options,
      Timings timings,
      BuildListener listener) {
    this.dirs = dirs;
    this.recipe = recipe;
    this.options = options;
    this.timings = timings;
    this.listener = listener;
  }

  @Override
  public BuildInputs call() {
    Recipe.Base base = recipe.base();
    String mirrorUri =
        options.mirror() != null
            ? options.mirror()
            : base.mirror() != null ? base.mirror() : AptSources.host().debianMirror();
    DebianMirror mirror = new DebianMirror(mirrorUri);
    Path lockPath = LockFile.pathFor(recipe.source());
    LockFile lock =
        options.useLockFile() && Files.isRegularFile(lockPath) ? LockFile.read(lockPath) : null;
    List<String> suites = LayerPlan.suites(recipe);
    Map<String, Instant> releases =
        lock != null && lock.suites().keySet().containsAll(suites)
            ? lock.suites()
            : timings.time("mirror " + mirrorUri, () -> releaseDates(mirror, suites));
    long epoch = releases.get(base.suite()).getEpochSecond();
    BuildEnvironment env =
        new BuildEnvironment(
            mirrorUri,
            AptSources.hostAptOptions(),
            epoch,
            dirs.debCache(),
            dirs.data().resolve("cache/apt-lists").resolve(shortHash(mirrorUri + suites)),
            new AptProgress(listener),
            UserNamespace.inside());
    DebCache debs = new DebCache(dirs.debCache());
    if (lock != null) {
      debs.dropMismatches(lock.packages());
    }
    return new BuildInputs(
        mirror,
        lockPath,
        lock,
        suites,
        releases,
        epoch,
        env,
        debs,
        LayerPlan.plan(recipe, releases, lock));
  }

  private static Map<String, Instant> releaseDates(DebianMirror mirror, List<String> suites) {
    Map<String, Instant> dates = new TreeMap<>();
    for (String suite : suites) {
      dates.put(suite, mirror.releaseDate(suite));
    }
    return dates;
  }

  private static String shortHash(String s) {
    return HexFormat.of()
        .formatHex(LayerWriter.sha256().digest(s.getBytes(StandardCharsets.UTF_8)))
        .substring(0, 16);
  }
}
