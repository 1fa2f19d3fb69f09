package dev.appliance.runtime.engine;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;

/**
 * Whether a KVM guest really runs here, for {@code --engine auto}. Probing boots a tiny guest (see
 * {@link dev.appliance.runtime.host.KvmProbe}), so the verdict is kept until the host reboots
 * (keyed by the kernel's boot id) in the state directory.
 */
public final class KvmCheck {
  private static final Path BOOT_ID = Path.of("/proc/sys/kernel/random/boot_id");
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The cached verdict. */
  record Verdict(String bootId, boolean usable, String reason) {}

  private KvmCheck() {}

  /**
   * @param stateDir where the verdict is cached
   * @return why a KVM guest cannot run on this host, or empty when one does
   */
  public static Optional<String> problem(Path stateDir) {
    String bootId = bootId();
    Path cache = stateDir.resolve("kvm-probe.json");
    try {
      if (Files.exists(cache)) {
        Verdict cached = JSON.readValue(cache.toFile(), Verdict.class);
        if (cached.bootId().equals(bootId)) {
          return cached.usable() ? Optional.empty() : Optional.of(cached.reason());
        }
      }
    } catch (IOException e) {
      // unreadable cache: probe again
    }
    dev.appliance.runtime.host.KvmProbe.Result result =
        new dev.appliance.runtime.host.KvmProbe().probe();
    try {
      Files.createDirectories(stateDir);
      Path temp = Files.createTempFile(stateDir, "kvm-probe", ".tmp");
      JSON.writeValue(temp.toFile(), new Verdict(bootId, result.usable(), result.reason()));
      Files.move(temp, cache, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      // not cached: the next run probes again
    }
    return result.usable() ? Optional.empty() : Optional.of(result.reason());
  }

  private static String bootId() {
    try {
      return Files.readString(BOOT_ID).strip();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
