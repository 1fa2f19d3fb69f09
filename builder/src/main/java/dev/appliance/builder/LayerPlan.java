package dev.appliance.builder;

import dev.appliance.recipe.Recipe;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The layers of a recipe chain, bottom first, each with a cache key that is the digest of
 * everything that determines its content (and of the key below it):
 *
 * <ul>
 *   <li>base: mmdebstrap of the root recipe's suite, variant, components, packages and kernels,
 *       plus its groups and users;
 *   <li>per recipe: "files" (files, run steps, services) and, except for the root, "packages"
 *       (packages, new kernels, groups, users) below it.
 * </ul>
 *
 * Package versions are fixed by the suites' Release dates or the lock file's pins, which are part
 * of every key, so a changed mirror state never reuses stale layers.
 */
final class LayerPlan {
  /**
   * Changes whenever the builder makes a layer differently from the same inputs, so a layer cache
   * never serves a tree the builder would no longer make. v2: apt's partial directories set from
   * the image's passwd, umask 022 (issue 13).
   */
  private static final String KEY_VERSION = "appliance-layer-v2";

  enum Kind {
    BASE,
    PACKAGES,
    FILES
  }

  /**
   * One layer to produce. {@code packages} includes kernel packages this layer adds; {@code
   * stateDirs} are emptied before the layer is written: those of its recipe and of the recipes it
   * extends, since a later step (a package upgrade) may fill them again.
   */
  record Step(
      Kind kind,
      Recipe recipe,
      String name,
      String key,
      List<String> packages,
      List<String> stateDirs,
      String createdBy) {}

  private LayerPlan() {}

  static List<Step> plan(Recipe leaf, Map<String, Instant> releases, LockFile lock) {
    List<Step> steps = new ArrayList<>();
    String below = KEY_VERSION + releases + (lock == null ? "" : lock.aptPreferences());
    Set<String> kernelsSoFar = new LinkedHashSet<>();
    Set<String> stateDirsSoFar = new LinkedHashSet<>();
    for (Recipe r : leaf.chain()) {
      stateDirsSoFar.addAll(r.stateDirs());
      List<String> stateDirs = List.copyOf(stateDirsSoFar);
      List<String> packages = new ArrayList<>(r.packages());
      for (String k : kernelPackages(r.kernels())) {
        if (kernelsSoFar.add(k)) {
          packages.add(k);
        }
      }
      boolean root = r.parent() == null;
      if (root) {
        Recipe.Base b = r.base();
        String key =
            key(
                below,
                "base",
                b.distribution(),
                b.suite(),
                b.variant(),
                b.components(),
                packages,
                r.groups(),
                r.users(),
                stateDirs);
        steps.add(
            new Step(
                Kind.BASE,
                r,
                "base " + b.distribution() + "-" + b.suite(),
                key,
                packages,
                stateDirs,
                "mmdebstrap --variant="
                    + b.variant()
                    + " "
                    + b.suite()
                    + " +"
                    + String.join(",", packages)));
        below = key;
      } else if (!packages.isEmpty() || !r.groups().isEmpty() || !r.users().isEmpty()) {
        String key = key(below, "packages", packages, r.groups(), r.users(), stateDirs);
        steps.add(
            new Step(
                Kind.PACKAGES,
                r,
                "packages " + r.name(),
                key,
                packages,
                stateDirs,
                "apt-get install " + String.join(" ", packages)));
        below = key;
      }
      Recipe.Services services = services(r);
      if (!r.files().isEmpty()
          || !r.run().isEmpty()
          || !services.isEmpty()
          || r.configuresNetworks()) {
        String key =
            r.configuresNetworks()
                ? key(
                    below,
                    "files",
                    fileIdentities(r.files()),
                    r.run(),
                    services,
                    stateDirs,
                    GuestNetworks.of(r.networks()))
                : key(below, "files", fileIdentities(r.files()), r.run(), services, stateDirs);
        steps.add(
            new Step(
                Kind.FILES,
                r,
                "files " + r.name(),
                key,
                List.of(),
                stateDirs,
                r.files().size()
                    + " files, "
                    + r.run().size()
                    + " run steps, services of "
                    + r.name()));
        below = key;
      }
    }
    return steps;
  }

  static Recipe.Services services(Recipe r) {
    return r.services() == null ? Recipe.Services.none() : r.services();
  }

  /** mmdebstrap/apt package arguments for the recipe's kernels: UML comes from its own suite. */
  static List<String> kernelPackages(Recipe.Kernels kernels) {
    List<String> packages = new ArrayList<>();
    if (kernels != null && kernels.qemu() != null) {
      packages.add(kernels.qemu());
    }
    if (kernels != null && kernels.uml() != null) {
      packages.add(
          kernels.umlSuite() == null ? kernels.uml() : kernels.uml() + "/" + kernels.umlSuite());
    }
    return packages;
  }

  /** Every suite the chain installs from: the base suite first. */
  static List<String> suites(Recipe leaf) {
    Set<String> suites = new LinkedHashSet<>();
    suites.add(leaf.base().suite());
    for (Recipe r : leaf.chain()) {
      if (r.kernels() != null && r.kernels().uml() != null && r.kernels().umlSuite() != null) {
        suites.add(r.kernels().umlSuite());
      }
    }
    return List.copyOf(suites);
  }

  /**
   * The suites of {@code suites} a packages step does not need: all but the base suite, unless one
   * of the step's {@code packages} names it ({@code name/suite}, as the UML kernel does). A
   * packages step installs from the base suite; the others are there for the kernels.
   */
  static List<String> suitesNotNeeded(
      List<String> suites, String baseSuite, List<String> packages) {
    return suites.stream()
        .filter(suite -> !suite.equals(baseSuite))
        .filter(suite -> packages.stream().noneMatch(p -> p.endsWith("/" + suite)))
        .toList();
  }

  private static List<String> fileIdentities(List<Recipe.FileEntry> files) {
    List<String> ids = new ArrayList<>();
    for (Recipe.FileEntry f : files) {
      try {
        byte[] content = Files.readAllBytes(f.source());
        ids.add(
            f.dest()
                + " "
                + Integer.toOctalString(f.mode())
                + " "
                + f.owner()
                + ":"
                + f.group()
                + " "
                + HexFormat.of().formatHex(LayerWriter.sha256().digest(content)));
      } catch (IOException e) {
        throw new UncheckedIOException("cannot read " + f.source(), e);
      }
    }
    return ids;
  }

  private static String key(Object... parts) {
    MessageDigest digest = LayerWriter.sha256();
    for (Object part : parts) {
      digest.update(Objects.toString(part).getBytes(StandardCharsets.UTF_8));
      digest.update((byte) 0);
    }
    return HexFormat.of().formatHex(digest.digest());
  }
}
