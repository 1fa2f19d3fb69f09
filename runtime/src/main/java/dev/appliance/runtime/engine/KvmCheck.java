package dev.appliance.runtime.engine;

import java.nio.file.Path;
import java.util.Optional;

/**
 * Whether a KVM guest really runs here, for {@code --engine auto}. Probing boots a tiny guest (see
 * {@link dev.appliance.runtime.host.KvmProbe}), so the verdict is kept until the host reboots
 * (keyed by the kernel's boot id) in the state directory's probe cache.
 */
public final class KvmCheck {
  static final String PROBE = "kvm";
  static final String USABLE = "usable";

  private KvmCheck() {}

  /**
   * @param stateDir the state directory: the verdict is cached in its probes/ (see {@link
   *     ProbeCache#inState})
   * @return why a KVM guest cannot run on this host, or empty when one does
   */
  public static Optional<String> problem(Path stateDir) {
    ProbeCache cache = ProbeCache.inState(stateDir);
    String bootId = ProbeCache.bootId();
    String verdict =
        cache
            .get(PROBE, bootId)
            .orElseGet(
                () -> {
                  var result = new dev.appliance.runtime.host.KvmProbe().probe();
                  String fresh = result.usable() ? USABLE : result.reason();
                  cache.put(PROBE, bootId, fresh);
                  return fresh;
                });
    return verdict.equals(USABLE) ? Optional.empty() : Optional.of(verdict);
  }
}
