package dev.appliance.builder;

import dev.appliance.common.ApplianceException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/**
 * The lock of what a build installed (versions and, from the .deb cache, SHA-256s); with a lock
 * file in use, checks that apt installed the pinned versions.
 */
final class LockCheckStep implements Callable<LockFile> {
  private final BuildInputs inputs;
  private final List<DpkgStatus.Installed> installed;
  private final BuildListener listener;

  LockCheckStep(BuildInputs inputs, List<DpkgStatus.Installed> installed, BuildListener listener) {
    this.inputs = inputs;
    this.installed = installed;
    this.listener = listener;
  }

  @Override
  public LockFile call() {
    LockFile lock = lockOfInstalled();
    if (inputs.lock() != null) {
      checkHonoured(inputs.lock(), lock);
    }
    return lock;
  }

  private LockFile lockOfInstalled() {
    List<LockFile.LockedPackage> locked = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    for (DpkgStatus.Installed p : installed) {
      Optional<String> sha = inputs.debs().sha256Of(p.name(), p.version(), p.architecture());
      if (sha.isEmpty()) {
        missing.add(p.name() + "=" + p.version());
      }
      locked.add(
          new LockFile.LockedPackage(p.name(), p.version(), p.architecture(), sha.orElse("")));
    }
    if (!missing.isEmpty()) {
      listener.log(
          "warning: no cached .deb for "
              + missing.size()
              + " packages ("
              + String.join(", ", missing.subList(0, Math.min(5, missing.size())))
              + "): their SHA-256 is not known");
    }
    return new LockFile(inputs.releases(), locked);
  }

  /**
   * A lock names versions; should apt still pick another (the versions missing from the mirror and
   * the cache are refused before any step runs), that must fail the build.
   */
  private void checkHonoured(LockFile lock, LockFile actual) {
    Map<String, String> wanted = new TreeMap<>();
    lock.packages().forEach(p -> wanted.put(p.name() + ":" + p.architecture(), p.version()));
    List<String> differing = new ArrayList<>();
    for (LockFile.LockedPackage p : actual.packages()) {
      String want = wanted.get(p.name() + ":" + p.architecture());
      if (want != null && !want.equals(p.version())) {
        differing.add(p.name() + " (locked " + want + ", installed " + p.version() + ")");
      }
    }
    if (!differing.isEmpty()) {
      throw new ApplianceException(
          inputs.lockPath()
              + ": apt did not install these pinned versions: "
              + String.join(", ", differing)
              + "; run 'appliance lock' to move to the mirror's versions",
          BuildRemedy.SNAPSHOT_MIRROR);
    }
  }
}
