package dev.appliance.runtime.engine;

import dev.appliance.common.InvalidInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Decides which engines to try, in order, and says why. {@code auto} uses KVM only when a KVM guest
 * really runs here (an openable /dev/kvm is not enough on nested hosts), then UML, then TCG; an
 * explicit engine is tried alone.
 */
public final class EngineSelector {
  public static final String AUTO = "auto";

  /** An engine to try and why it is on the list. */
  public record Candidate(Engine engine, String reason) {}

  /**
   * @param candidates engines to try in order
   * @param skipped one line per engine left out, with the reason
   */
  public record Plan(List<Candidate> candidates, List<String> skipped) {
    public Plan {
      candidates = List.copyOf(candidates);
      skipped = List.copyOf(skipped);
    }
  }

  private final Supplier<Optional<String>> kvmProblem;

  /**
   * @param kvmProblem why a KVM guest cannot run here, or empty when one does (called at most once)
   */
  public EngineSelector(Supplier<Optional<String>> kvmProblem) {
    this.kvmProblem = kvmProblem;
  }

  /** Checks an {@code --engine} value early, before anything is created. */
  public static String validate(String requested) {
    String value = requested == null ? AUTO : requested.strip().toLowerCase(java.util.Locale.ROOT);
    if (!value.equals(AUTO)) {
      EngineKind.parse(value);
    }
    return value;
  }

  /**
   * @param requested auto, kvm, uml or tcg
   * @param existingDisk the disk format the instance already has data in, if any: only engines that
   *     read it keep the instance's data
   */
  public Plan plan(String requested, Optional<EngineKind.DiskFormat> existingDisk) {
    List<Candidate> candidates = new ArrayList<>();
    List<String> skipped = new ArrayList<>();
    if (!AUTO.equals(requested)) {
      EngineKind kind = EngineKind.parse(requested);
      if (existingDisk.isPresent() && kind.diskFormat() != existingDisk.get()) {
        throw new InvalidInputException(
            "engine "
                + kind
                + " cannot use this instance's disk ("
                + existingDisk.get().fileName()
                + ", written by another engine); start it with its own engine"
                + " or let it be chosen automatically (engine auto)");
      }
      candidates.add(new Candidate(engine(kind), "requested"));
      return new Plan(candidates, skipped);
    }
    for (EngineKind kind : EngineKind.values()) {
      if (existingDisk.isPresent() && kind.diskFormat() != existingDisk.get()) {
        skipped.add(kind + ": the instance's disk was written by another engine");
        continue;
      }
      if (kind == EngineKind.KVM) {
        Optional<String> problem = kvmProblem.get();
        if (problem.isPresent()) {
          skipped.add("kvm: " + problem.get());
          continue;
        }
        candidates.add(new Candidate(engine(kind), "a KVM guest runs on this host"));
      } else if (candidates.isEmpty()) {
        candidates.add(
            new Candidate(
                engine(kind),
                kind == EngineKind.UML
                    ? "fastest engine available without KVM"
                    : "software emulation, the last resort"));
      } else {
        candidates.add(new Candidate(engine(kind), "fallback"));
      }
    }
    return new Plan(candidates, skipped);
  }

  public static Engine engine(EngineKind kind) {
    return kind == EngineKind.UML ? new UmlEngine() : new QemuEngine(kind);
  }
}
