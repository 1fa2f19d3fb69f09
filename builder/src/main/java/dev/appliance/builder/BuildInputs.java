package dev.appliance.builder;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Everything a build decides before its first step: the mirror, the lock file (null when none is
 * used), the suites and their release dates, the reproducibility epoch, the environment apt runs in
 * and the plan of layers.
 */
record BuildInputs(
    DebianMirror mirror,
    Path lockPath,
    LockFile lock,
    List<String> suites,
    Map<String, Instant> releases,
    long epoch,
    BuildEnvironment env,
    DebCache debs,
    List<LayerPlan.Step> plan) {}
