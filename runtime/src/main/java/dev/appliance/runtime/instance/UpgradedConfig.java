package dev.appliance.runtime.instance;

import dev.appliance.oci.ApplianceMetadata;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parameters and secrets an upgrade gives the new image on a rewritten config disk: what {@code
 * run} with the same options would give it. The new image's defaults replace the old image's,
 * secrets it marks {@code generate} are generated when missing, values the user gave (and secrets
 * generated before) are kept, and those the new image no longer declares are left out and reported.
 * The previous image keeps its own config disk for a rollback.
 *
 * @param params the new config disk's parameters
 * @param secrets the new config disk's secrets
 * @param given the names of the user's values passed on, sorted (the spec's {@code given})
 * @param notices what changed, one progress line each: dropped values, generated secrets
 */
record UpgradedConfig(
    Map<String, String> params,
    Map<String, byte[]> secrets,
    List<String> given,
    List<String> notices) {

  UpgradedConfig {
    params = Map.copyOf(params);
    secrets = Map.copyOf(secrets);
    given = List.copyOf(given);
    notices = List.copyOf(notices);
  }

  /**
   * @param old what the instance's config disk passes now
   * @param given the names of the values the user gave ({@link InstanceSpec#given()}); null for an
   *     instance created before appliance recorded them: every value on its disk counts as given
   * @param instance the instance's name, for the notices
   * @param next the new image's metadata
   * @param reference the new image, as the user named it
   * @param generated where the instance keeps the secrets appliance generated (new ones too)
   */
  static UpgradedConfig of(
      ConfigDisk.Contents old,
      List<String> given,
      String instance,
      ApplianceMetadata next,
      String reference,
      GeneratedSecrets generated,
      SecureRandom random) {
    Map<String, ApplianceMetadata.Param> declared = new LinkedHashMap<>();
    next.params().forEach(p -> declared.put(p.name(), p));
    Set<String> byUser = new HashSet<>();
    List<String> notices = new ArrayList<>();
    if (given == null) {
      byUser.addAll(old.params().keySet());
      byUser.addAll(old.secrets().keySet());
      if (!old.params().isEmpty()) {
        notices.add(
            instance
                + " was created before appliance recorded which parameters were given: all of its"
                + " parameters are kept as they are, defaults of the old image included");
      }
    } else {
      byUser.addAll(given);
    }

    Map<String, String> params = new LinkedHashMap<>();
    for (ApplianceMetadata.Param p : next.params()) {
      if (!p.secret() && p.defaultValue() != null) {
        params.put(p.name(), p.defaultValue());
      }
    }
    Map<String, byte[]> secrets = new LinkedHashMap<>();
    Set<String> kept = new HashSet<>();
    for (Map.Entry<String, String> e : old.params().entrySet()) {
      if (!byUser.contains(e.getKey())) {
        continue; // the old image's default: the new image's own applies
      }
      ApplianceMetadata.Param p = declared.get(e.getKey());
      if (p == null) {
        notices.add(dropped("parameter", e.getKey(), reference, "does not take it"));
      } else if (p.secret()) {
        // Now secret: the value moves to the secrets, where the guest keeps it root-only.
        secrets.put(e.getKey(), e.getValue().getBytes(StandardCharsets.UTF_8));
        kept.add(e.getKey());
      } else {
        params.put(e.getKey(), e.getValue());
        kept.add(e.getKey());
      }
    }
    for (Map.Entry<String, byte[]> e : old.secrets().entrySet()) {
      ApplianceMetadata.Param p = declared.get(e.getKey());
      if (p == null) {
        notices.add(dropped("secret", e.getKey(), reference, "does not take it"));
      } else if (!p.secret()) {
        // Never hand a secret to the guest as a plain (world-readable) parameter.
        notices.add(dropped("secret", e.getKey(), reference, "takes it as a plain parameter"));
      } else {
        secrets.put(e.getKey(), e.getValue());
        if (byUser.contains(e.getKey())) {
          kept.add(e.getKey());
        }
      }
    }
    Map<String, byte[]> all = generated.completeAndKeep(next, secrets, random);
    all.keySet().stream()
        .filter(s -> !secrets.containsKey(s))
        .forEach(s -> notices.add(GeneratedSecrets.notice(instance, s)));
    return new UpgradedConfig(params, all, kept.stream().sorted().toList(), notices);
  }

  private static String dropped(String kind, String name, String reference, String why) {
    return kind
        + " "
        + name
        + " is not passed to "
        + reference
        + ": it "
        + why
        + " (the previous image keeps it for a rollback)";
  }
}
