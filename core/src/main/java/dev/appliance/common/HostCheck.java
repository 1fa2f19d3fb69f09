package dev.appliance.common;

import java.util.Objects;

/**
 * One finding of {@code appliance doctor}: a prerequisite of the builder or the runtime and whether
 * this host meets it.
 *
 * @param name stable identifier, e.g. {@code engine.kvm}, {@code builder.mmdebstrap}
 * @param ok true when the host meets it
 * @param detail what was found, in words a user understands
 * @param fix the exact command (or step) that closes the gap; null when ok
 * @param remedy an alternative the caller's own options offer (a front end names its option); null
 *     when none
 */
public record HostCheck(String name, boolean ok, String detail, String fix, Remedy remedy) {
  public HostCheck {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(detail, "detail");
    if (!ok) {
      Objects.requireNonNull(fix, "a gap needs a fix");
    }
  }

  public HostCheck(String name, boolean ok, String detail, String fix) {
    this(name, ok, detail, fix, null);
  }

  public static HostCheck ok(String name, String detail) {
    return new HostCheck(name, true, detail, null);
  }

  public static HostCheck gap(String name, String detail, String fix) {
    return new HostCheck(name, false, detail, fix);
  }

  public static HostCheck gap(String name, String detail, String fix, Remedy remedy) {
    return new HostCheck(name, false, detail, fix, remedy);
  }
}
