package dev.appliance.recipe;

import dev.appliance.oci.DataFormat;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One parsed, validated recipe. Produced only by {@link RecipeParser}; the YAML syntax is
 * documented in docs/recipe.md.
 *
 * <p>Inheritance ({@code extends:}) is kept as a chain so the builder can give each recipe of the
 * chain its own layers: the layered parts ({@code packages}, {@code files}, {@code run}, {@code
 * services}, {@code users}, {@code groups}, {@code state-dirs}) hold only what this file itself
 * declares; {@link #parent()} holds the rest. Settings ({@code base}, {@code ports}, {@code
 * health}, {@code resources}, {@code kernels}, {@code params}) hold the effective values after
 * inheritance (the child's value where it sets one, else the parent's): {@code base}, {@code
 * resources} and {@code kernels} merge key by key, {@code ports} and {@code params} merge by name
 * (same name replaces, new names are appended), {@code health} is replaced as a whole. Defaults
 * fill what no recipe of the chain sets.
 *
 * @param source the recipe file, absolute
 * @param name image name (an OCI repository path component)
 * @param version image tag, as written (never reinterpreted as a number)
 * @param description free text, "" when not given
 * @param stateDirs directories the image ships empty (owner and mode kept): the appliance fills
 *     them at boot; for state a package's install script would otherwise bake in differently on
 *     every build
 * @param networks extra network interfaces (after the management NIC), merged by name like ports
 * @param health readiness check, or null when the chain declares none
 * @param data the version of the data the appliance keeps on volumes and its upgrade hook; null
 *     when no recipe of the chain declares one (data version 0); a child's replaces its parent's
 * @param parent the recipe this one extends, or null
 */
public record Recipe(
    Path source,
    String name,
    String version,
    String description,
    Base base,
    List<String> packages,
    List<FileEntry> files,
    List<RunStep> run,
    Services services,
    List<User> users,
    List<Group> groups,
    List<String> stateDirs,
    List<Port> ports,
    List<Network> networks,
    HealthCheck health,
    Resources resources,
    Kernels kernels,
    List<Param> params,
    DataFormat data,
    Recipe parent) {

  public Recipe {
    packages = List.copyOf(packages);
    files = List.copyOf(files);
    run = List.copyOf(run);
    users = List.copyOf(users);
    groups = List.copyOf(groups);
    stateDirs = List.copyOf(stateDirs);
    ports = List.copyOf(ports);
    networks = List.copyOf(networks);
    params = List.copyOf(params);
  }

  /**
   * Whether this recipe's files layer carries the guest configuration of {@link #networks()}: the
   * root when it has any, a child when it changes its parent's.
   */
  public boolean configuresNetworks() {
    return parent == null ? !networks.isEmpty() : !networks.equals(parent.networks());
  }

  /** The inheritance chain, root (for example recipes/base/debian.yaml) first, this recipe last. */
  public List<Recipe> chain() {
    List<Recipe> chain = new ArrayList<>();
    for (Recipe r = this; r != null; r = r.parent()) {
      chain.add(0, r);
    }
    return List.copyOf(chain);
  }

  /**
   * What to bootstrap. Defaults: debian, trixie, minbase, null, [main].
   *
   * @param distribution e.g. {@code debian}
   * @param suite e.g. {@code trixie}
   * @param variant mmdebstrap variant, e.g. {@code minbase}
   * @param mirror mirror URL; null means the host's apt configuration
   * @param components e.g. {@code [main]}
   */
  public record Base(
      String distribution, String suite, String variant, String mirror, List<String> components) {
    public Base {
      components = List.copyOf(components);
    }
  }

  /**
   * A file to install. {@code source} is resolved against the recipe's directory and known to be a
   * regular file inside it (links included).
   *
   * @param source absolute, normalized
   * @param dest absolute, normalized path in the image
   * @param mode permission bits, e.g. {@code 0644} (the default); may include setuid/setgid/sticky
   * @param owner user name or number, default {@code root}
   * @param group group name or number, default {@code root}
   */
  public record FileEntry(Path source, String dest, int mode, String owner, String group) {}

  /** A shell script run inside the image at build time, in order, by {@code /bin/sh -e}. */
  public record RunStep(String command) {}

  /**
   * systemd units of this recipe's layer. {@code mask} links a unit to /dev/null so that nothing
   * starts it, even a unit a later package installs; {@code enable} in a recipe extending this one
   * unmasks the unit first (opting back in).
   */
  public record Services(List<String> enable, List<String> disable, List<String> mask) {
    public Services {
      enable = List.copyOf(enable);
      disable = List.copyOf(disable);
      mask = List.copyOf(mask);
    }

    public static Services none() {
      return new Services(List.of(), List.of(), List.of());
    }

    public boolean isEmpty() {
      return enable.isEmpty() && disable.isEmpty() && mask.isEmpty();
    }
  }

  /**
   * A user to create. Null means "not given, useradd's default": {@code uid} allocated, {@code
   * group} a group named after the user, {@code home} and {@code shell} as useradd sets them.
   */
  public record User(
      String name,
      Integer uid,
      String group,
      List<String> groups,
      String home,
      String shell,
      boolean system) {
    public User {
      groups = List.copyOf(groups);
    }
  }

  /** A group to create; {@code gid} null means allocate. */
  public record Group(String name, Integer gid, boolean system) {}

  /**
   * An extra network interface: {@code role} capture is receive-only, without an address (a mirror
   * port); see docs/recipe.md.
   */
  public record Network(String name, String role) {}

  /** A port the appliance offers: {@code protocol} is tcp or udp. */
  public record Port(String name, int port, String protocol) {}

  /**
   * Readiness probe: type {@code http} (GET {@code path} on {@code port} must answer {@code
   * status}) or {@code tcp} (connect to {@code port}; then {@code path} is null and {@code status}
   * 0). {@code port} is one of the recipe's tcp ports. Defaults: path "/", status 200, 300 s.
   */
  public record HealthCheck(String type, int port, String path, int status, int timeoutSeconds) {}

  /**
   * @param memoryMiB memory, default 512
   * @param cpus virtual CPUs, default 1
   * @param diskBytes size of the root disk, a whole number of MiB, default 2 GiB
   */
  public record Resources(long memoryMiB, int cpus, long diskBytes) {}

  /**
   * Kernel packages per engine. {@code qemu} is a distribution package from the base suite (e.g.
   * linux-image-cloud-amd64); {@code uml} is the user-mode-linux package and {@code umlSuite} the
   * suite it comes from (sid has 7.x with seccomp mode). Defaults: linux-image-cloud-amd64,
   * user-mode-linux, sid.
   */
  public record Kernels(String qemu, String uml, String umlSuite) {}

  /**
   * A first-boot parameter; a secret one is never logged or baked into the image, so it never has a
   * default: when the user gives none, the appliance's first-boot setup generates one. A non-secret
   * parameter without a default ({@code defaultValue} null) must be given at run time.
   *
   * @param description free text, "" when not given
   * @param generate a secret that {@code appliance run} generates when the user gives none, and
   *     keeps for the user to read back (a token an operator must present, unlike a password only
   *     the guest uses)
   */
  public record Param(
      String name, String defaultValue, boolean secret, String description, boolean generate) {
    public Param(String name, String defaultValue, boolean secret, String description) {
      this(name, defaultValue, secret, description, false);
    }
  }
}
