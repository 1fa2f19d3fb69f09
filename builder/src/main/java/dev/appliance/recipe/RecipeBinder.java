package dev.appliance.recipe;

import com.fasterxml.jackson.core.JsonLocation;
import dev.appliance.oci.DataFormat;
import dev.appliance.oci.MetadataRules;
import dev.appliance.recipe.RawRecipe.RawBase;
import dev.appliance.recipe.RawRecipe.RawFile;
import dev.appliance.recipe.RawRecipe.RawGroup;
import dev.appliance.recipe.RawRecipe.RawHealth;
import dev.appliance.recipe.RawRecipe.RawKernels;
import dev.appliance.recipe.RawRecipe.RawNetwork;
import dev.appliance.recipe.RawRecipe.RawParam;
import dev.appliance.recipe.RawRecipe.RawPort;
import dev.appliance.recipe.RawRecipe.RawResources;
import dev.appliance.recipe.RawRecipe.RawServices;
import dev.appliance.recipe.RawRecipe.RawUser;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Checks one {@link RawRecipe} and builds its {@link Recipe}: applies defaults, merges the settings
 * over the parent's (see {@link Recipe}), and resolves file sources against the recipe's directory.
 */
final class RecipeBinder {
  static final Recipe.Base DEFAULT_BASE =
      new Recipe.Base("debian", "trixie", "minbase", null, List.of("main"));
  static final Recipe.Resources DEFAULT_RESOURCES = new Recipe.Resources(512, 1, 2L << 30);
  static final Recipe.Kernels DEFAULT_KERNELS =
      new Recipe.Kernels("linux-image-cloud-amd64", "user-mode-linux", "sid");
  static final int DEFAULT_HEALTH_TIMEOUT_SECONDS = 300;

  static final List<String> DISTRIBUTIONS = List.of("debian");

  /** mmdebstrap's variants. */
  static final List<String> VARIANTS =
      List.of(
          "extract",
          "custom",
          "essential",
          "apt",
          "required",
          "minbase",
          "buildd",
          "important",
          "debootstrap",
          "standard");

  private static final Pattern SUITE = Pattern.compile("[a-z0-9][a-z0-9.-]*");
  private static final Pattern COMPONENT = Pattern.compile("[a-z0-9][a-z0-9-]*");
  // apt's syntax: name, optional :arch, optional =version or /suite.
  private static final Pattern PACKAGE =
      Pattern.compile("[a-z0-9][a-z0-9+.-]+(?::[a-z0-9-]+)?(?:=[A-Za-z0-9.+~:-]+|/[a-z0-9.-]+)?");
  private static final Pattern ACCOUNT = Pattern.compile("[a-z_][a-z0-9_-]{0,31}\\$?|[0-9]+");
  private static final Pattern UNIT = Pattern.compile("[A-Za-z0-9:_.@\\\\-]+");
  private static final long MIB = 1L << 20;

  private final Path display;
  private final Path source;
  private final ScalarChecks check;

  /**
   * @param display the recipe file as named in messages
   * @param source the recipe file, absolute
   */
  RecipeBinder(Path display, Path source) {
    this.display = display;
    this.source = source;
    this.check = new ScalarChecks(display);
  }

  Recipe bind(RawRecipe raw, Recipe parent) {
    String name = check.matching(check.required(raw, raw.name, "name"), "name", MetadataRules.NAME);
    String version =
        check.matching(
            check.required(raw, raw.version, "version"), "version", MetadataRules.VERSION);
    String description = check.text(raw.description, "description", "");
    // Checked in the order docs/recipe.md lists the keys, so a recipe written
    // in that order reports its first problem first.
    Recipe.Base base = base(raw.base, parent == null ? DEFAULT_BASE : parent.base());
    List<String> packages = packages(raw.packages);
    List<Recipe.FileEntry> files = files(raw.files);
    List<Recipe.RunStep> run = runSteps(raw.run);
    Recipe.Services services = services(raw.services);
    List<Recipe.User> users = users(raw.users);
    List<Recipe.Group> groups = groups(raw.groups);
    List<String> stateDirs =
        raw.stateDirs == null ? List.of() : unique(raw.stateDirs, "state-dirs", this::imagePath);
    List<Recipe.Port> ports = ports(raw.ports, parent == null ? List.of() : parent.ports());
    List<Recipe.Network> networks =
        networks(raw.networks, parent == null ? List.of() : parent.networks());
    Recipe.HealthCheck health =
        raw.health != null ? health(raw.health, ports) : inheritedHealth(raw, parent, ports);
    Recipe.Resources resources =
        resources(raw.resources, parent == null ? DEFAULT_RESOURCES : parent.resources());
    Recipe.Kernels kernels =
        kernels(raw.kernels, parent == null ? DEFAULT_KERNELS : parent.kernels());
    List<Recipe.Param> params = params(raw.params, parent == null ? List.of() : parent.params());
    DataFormat data = raw.data != null ? data(raw.data) : parent == null ? null : parent.data();
    return new Recipe(
        source,
        name,
        version,
        description,
        base,
        packages,
        files,
        run,
        services,
        users,
        groups,
        stateDirs,
        ports,
        networks,
        health,
        resources,
        kernels,
        params,
        data,
        parent);
  }

  /** {@code data: {version: N, upgrade: /path}}: the hook path reaches the kernel command line. */
  private DataFormat data(RawRecipe.RawData raw) {
    int version =
        (int)
            check.integer(
                check.required(raw, raw.version, "data.version"),
                "data.version",
                DataFormat.VERSION.min(),
                DataFormat.VERSION.max());
    String upgrade = raw.upgrade == null ? null : check.text(raw.upgrade, "data.upgrade");
    if (upgrade != null && !DataFormat.isHookPath(upgrade)) {
      throw check.error(
          raw.upgrade,
          "data.upgrade",
          MetadataRules.quote(upgrade) + " is not " + DataFormat.HOOK_EXPECTED,
          "the path of an executable the recipe installs, e.g. /usr/lib/myapp/data-upgrade");
    }
    return new DataFormat(version, upgrade);
  }

  private Recipe.Base base(RawBase raw, Recipe.Base inherited) {
    if (raw == null) {
      return inherited;
    }
    String mirror = raw.mirror == null ? inherited.mirror() : mirror(raw.mirror);
    List<String> components = raw.components == null ? inherited.components() : components(raw);
    return new Recipe.Base(
        raw.distribution == null
            ? inherited.distribution()
            : check.oneOf(raw.distribution, "base.distribution", DISTRIBUTIONS),
        raw.suite == null
            ? inherited.suite()
            : check.matching(raw.suite, "base.suite", SUITE, "a suite name such as trixie"),
        raw.variant == null
            ? inherited.variant()
            : check.oneOf(raw.variant, "base.variant", VARIANTS),
        mirror,
        components);
  }

  private List<String> components(RawBase raw) {
    if (raw.components.isEmpty()) {
      throw check.error(
          raw.at, "base.components: must name at least one component, e.g. [main]", null);
    }
    return unique(
        raw.components,
        "base.components",
        (s, k) -> check.matching(s, k, COMPONENT, "a component name such as main"));
  }

  private String mirror(Scalar value) {
    String text = check.text(value, "base.mirror");
    try {
      URI uri = new URI(text);
      if (!List.of("http", "https", "file").contains(String.valueOf(uri.getScheme()))) {
        throw check.error(
            value, "base.mirror", "'" + text + "' is not an http, https or file URL", null);
      }
      if (uri.getUserInfo() != null) {
        // It would end up in the image's apt sources and in build logs.
        throw check.error(
            value,
            "base.mirror",
            "must not contain credentials",
            "give the build host an apt auth.conf instead");
      }
      return text;
    } catch (URISyntaxException e) {
      throw check.error(
          value, "base.mirror", "'" + text + "' is not a URL: " + e.getReason(), null);
    }
  }

  private List<String> packages(List<Scalar> raw) {
    return raw == null
        ? List.of()
        : unique(raw, "packages", (s, k) -> check.matching(s, k, PACKAGE, "a Debian package name"));
  }

  private List<Recipe.FileEntry> files(List<RawFile> raw) {
    if (raw == null) {
      return List.of();
    }
    List<Recipe.FileEntry> files = new ArrayList<>();
    Map<String, Integer> dests = new HashMap<>();
    for (int i = 0; i < raw.size(); i++) {
      RawFile f = raw.get(i);
      String key = "files[" + i + "]";
      Path from = fileSource(check.required(f, f.source, key + ".source"), key + ".source");
      Scalar destValue = check.required(f, f.dest, key + ".dest");
      String dest = imagePath(destValue, key + ".dest");
      Integer earlier = dests.putIfAbsent(dest, i);
      if (earlier != null) {
        throw check.error(
            destValue,
            key + ".dest",
            dest + " is already installed by files[" + earlier + "]",
            null);
      }
      files.add(
          new Recipe.FileEntry(
              from,
              dest,
              check.mode(f.mode, key + ".mode", 0644),
              account(f.owner, key + ".owner", "root"),
              account(f.group, key + ".group", "root")));
    }
    return files;
  }

  /**
   * A file source: relative, inside the recipe's directory (symbolic links included), a regular
   * file.
   */
  private Path fileSource(Scalar value, String key) {
    String text = check.text(value, key);
    Path relative = Path.of(text);
    if (relative.isAbsolute()) {
      throw check.error(
          value,
          key,
          "'" + text + "' is absolute; sources are relative to the recipe's directory",
          null);
    }
    for (Path part : relative) {
      if (part.toString().equals("..")) {
        throw check.error(
            value,
            key,
            "'" + text + "' leaves the recipe's directory ('..')",
            "keep the files a recipe installs beside it, e.g. in files/");
      }
    }
    Path dir = source.getParent();
    Path resolved = dir.resolve(relative).normalize();
    if (!Files.exists(resolved, LinkOption.NOFOLLOW_LINKS)) {
      String sibling = Suggestions.closestSibling(resolved);
      throw check.error(
          value,
          key,
          "no such file: " + displayDir().resolve(relative).normalize(),
          sibling == null
              ? null
              : "did you mean '" + relative.resolveSibling(sibling).normalize() + "'?");
    }
    try {
      if (!resolved.toRealPath().startsWith(dir.toRealPath())) {
        throw check.error(
            value, key, "'" + text + "' is a link leading outside the recipe's directory", null);
      }
    } catch (IOException e) {
      throw check.error(value, key, "cannot resolve '" + text + "': " + e.getMessage(), null);
    }
    if (!Files.isRegularFile(resolved)) {
      throw check.error(
          value,
          key,
          "'" + text + "' is not a regular file",
          Files.isDirectory(resolved) ? "list the files of a directory one by one" : null);
    }
    return resolved;
  }

  private Path displayDir() {
    Path parent = display.getParent();
    return parent == null ? Path.of("") : parent;
  }

  /** An absolute, normalized path inside the image. */
  private String imagePath(Scalar value, String key) {
    String text = check.text(value, key);
    if (!MetadataRules.isImagePath(text)) {
      throw check.error(
          value,
          key,
          "'" + text + "' is not " + MetadataRules.IMAGE_PATH_EXPECTED,
          "e.g. /etc/example.conf");
    }
    return text;
  }

  private String account(Scalar value, String key, String fallback) {
    return value == null
        ? fallback
        : check.matching(value, key, ACCOUNT, "a user or group name or number");
  }

  private List<Recipe.RunStep> runSteps(List<Scalar> raw) {
    if (raw == null) {
      return List.of();
    }
    List<Recipe.RunStep> steps = new ArrayList<>();
    for (int i = 0; i < raw.size(); i++) {
      steps.add(new Recipe.RunStep(check.text(raw.get(i), "run[" + i + "]")));
    }
    return steps;
  }

  private Recipe.Services services(RawServices raw) {
    if (raw == null) {
      return Recipe.Services.none();
    }
    BiFunction<Scalar, String, String> unit =
        (s, k) -> check.matching(s, k, UNIT, "a systemd unit name");
    List<String> enable =
        raw.enable == null ? List.of() : unique(raw.enable, "services.enable", unit);
    List<String> disable =
        raw.disable == null ? List.of() : unique(raw.disable, "services.disable", unit);
    List<String> mask = raw.mask == null ? List.of() : unique(raw.mask, "services.mask", unit);
    refuseEnabled(raw.disable, disable, "services.disable", enable);
    refuseEnabled(raw.mask, mask, "services.mask", enable);
    return new Recipe.Services(enable, disable, mask);
  }

  /** A unit this recipe enables cannot also be disabled or masked by it. */
  private void refuseEnabled(
      List<Scalar> raw, List<String> units, String key, List<String> enable) {
    for (int i = 0; i < units.size(); i++) {
      if (enable.contains(units.get(i))) {
        throw check.error(raw.get(i), key + "[" + i + "]", units.get(i) + " is also enabled", null);
      }
    }
  }

  private List<Recipe.User> users(List<RawUser> raw) {
    return named(
        raw,
        "users",
        u -> u.name,
        (u, key) -> {
          // Unset group, home and shell stay null: useradd's defaults apply (see Recipe.User).
          return new Recipe.User(
              check.matching(u.name, key + ".name", ACCOUNT, "a user name"),
              check.optionalInteger(u.uid, key + ".uid", 0, 65535),
              account(u.group, key + ".group", null),
              u.groups == null
                  ? List.of()
                  : unique(u.groups, key + ".groups", (s, k) -> account(s, k, null)),
              u.home == null ? null : imagePath(u.home, key + ".home"),
              u.shell == null ? null : imagePath(u.shell, key + ".shell"),
              check.bool(u.system, key + ".system", false));
        });
  }

  private List<Recipe.Group> groups(List<RawGroup> raw) {
    return named(
        raw,
        "groups",
        g -> g.name,
        (g, key) ->
            new Recipe.Group(
                check.matching(g.name, key + ".name", ACCOUNT, "a group name"),
                check.optionalInteger(g.gid, key + ".gid", 0, 65535),
                check.bool(g.system, key + ".system", false)));
  }

  /** Ports by name: the child's replace the parent's of the same name, new ones are added. */
  private List<Recipe.Port> ports(List<RawPort> raw, List<Recipe.Port> inherited) {
    List<Recipe.Port> own =
        named(
            raw,
            "ports",
            p -> p.name,
            (p, key) ->
                new Recipe.Port(
                    check.matching(p.name, key + ".name", MetadataRules.PORT_NAME),
                    check.port(check.required(p, p.port, key + ".port"), key + ".port"),
                    p.protocol == null
                        ? "tcp"
                        : check.oneOf(p.protocol, key + ".protocol", MetadataRules.PROTOCOLS)));
    Map<String, Recipe.Port> merged = new LinkedHashMap<>();
    inherited.forEach(port -> merged.put(port.name(), port));
    for (int i = 0; i < own.size(); i++) {
      Recipe.Port port = own.get(i);
      for (Recipe.Port other : merged.values()) {
        if (!other.name().equals(port.name())
            && other.port() == port.port()
            && other.protocol().equals(port.protocol())) {
          throw check.error(
              raw.get(i).port,
              "ports[" + i + "].port",
              port.port() + "/" + port.protocol() + " is already offered as '" + other.name() + "'",
              null);
        }
      }
      merged.put(port.name(), port);
    }
    return List.copyOf(merged.values());
  }

  /** Networks by name, like ports; at most {@link MetadataRules#MAX_NETWORKS} in the chain. */
  private List<Recipe.Network> networks(List<RawNetwork> raw, List<Recipe.Network> inherited) {
    List<Recipe.Network> own =
        named(
            raw,
            "networks",
            n -> n.name,
            (n, key) ->
                new Recipe.Network(
                    check.matching(n.name, key + ".name", MetadataRules.NETWORK_NAME),
                    check.oneOf(
                        check.required(n, n.role, key + ".role"),
                        key + ".role",
                        MetadataRules.NETWORK_ROLES)));
    List<Recipe.Network> merged = mergeByName(inherited, own, Recipe.Network::name);
    if (merged.size() > MetadataRules.MAX_NETWORKS) {
      throw check.error(
          raw.get(raw.size() - 1).name,
          "networks",
          merged.size()
              + " network interfaces with the inherited ones, more than "
              + MetadataRules.MAX_NETWORKS,
          null);
    }
    return merged;
  }

  private Recipe.HealthCheck health(RawHealth raw, List<Recipe.Port> ports) {
    String type =
        check.oneOf(
            check.required(raw, raw.type, "health.type"),
            "health.type",
            MetadataRules.HEALTH_TYPES);
    Scalar portValue = check.required(raw, raw.port, "health.port");
    int port = check.port(portValue, "health.port");
    if (ports.stream().noneMatch(p -> p.port() == port && p.protocol().equals("tcp"))) {
      throw check.error(
          portValue,
          "health.port",
          port + " is not one of the appliance's tcp ports",
          "declare it under 'ports:'");
    }
    int timeout =
        check.integer(
            raw.timeout,
            "health.timeout",
            MetadataRules.HEALTH_TIMEOUT_SECONDS,
            DEFAULT_HEALTH_TIMEOUT_SECONDS);
    if (type.equals("tcp")) {
      for (Scalar httpOnly : new Scalar[] {raw.path, raw.status}) {
        if (httpOnly != null) {
          throw check.error(
              httpOnly, "health", "'path' and 'status' apply only to type http", null);
        }
      }
      return new Recipe.HealthCheck(type, port, null, 0, timeout);
    }
    String path = raw.path == null ? "/" : check.text(raw.path, "health.path");
    if (!path.startsWith("/")) {
      throw check.error(raw.path, "health.path", "'" + path + "' must start with '/'", null);
    }
    if (!MetadataRules.HEALTH_PATH.accepts(path)) {
      throw check.error(
          raw.path,
          "health.path",
          "'" + path + "' is not " + MetadataRules.HEALTH_PATH.expected(),
          null);
    }
    return new Recipe.HealthCheck(
        type,
        port,
        path,
        check.integer(raw.status, "health.status", MetadataRules.HEALTH_STATUS, 200),
        timeout);
  }

  /** The parent's check, provided its port survived this recipe's port changes. */
  private Recipe.HealthCheck inheritedHealth(
      RawRecipe raw, Recipe parent, List<Recipe.Port> ports) {
    Recipe.HealthCheck inherited = parent == null ? null : parent.health();
    if (inherited != null
        && ports.stream()
            .noneMatch(p -> p.port() == inherited.port() && p.protocol().equals("tcp"))) {
      JsonLocation at = raw.ports != null ? raw.ports.get(0).at : raw.at;
      throw check.error(
          at,
          "ports: the inherited health check uses port "
              + inherited.port()
              + ", which this recipe no longer offers",
          "give this recipe its own 'health:'");
    }
    return inherited;
  }

  private Recipe.Resources resources(RawResources raw, Recipe.Resources inherited) {
    if (raw == null) {
      return inherited;
    }
    return new Recipe.Resources(
        raw.memory == null
            ? inherited.memoryMiB()
            : check.size(raw.memory, "resources.memory", MetadataRules.MEMORY_BYTES) / MIB,
        check.integer(raw.cpus, "resources.cpus", MetadataRules.CPUS, inherited.cpus()),
        raw.disk == null
            ? inherited.diskBytes()
            : check.size(raw.disk, "resources.disk", MetadataRules.DISK_BYTES));
  }

  private Recipe.Kernels kernels(RawKernels raw, Recipe.Kernels inherited) {
    if (raw == null) {
      return inherited;
    }
    return new Recipe.Kernels(
        raw.qemu == null
            ? inherited.qemu()
            : check.matching(raw.qemu, "kernels.qemu", PACKAGE, "a Debian package name"),
        raw.uml == null
            ? inherited.uml()
            : check.matching(raw.uml, "kernels.uml", PACKAGE, "a Debian package name"),
        raw.umlSuite == null
            ? inherited.umlSuite()
            : check.matching(raw.umlSuite, "kernels.uml-suite", SUITE, "a suite name such as sid"));
  }

  /**
   * Parameters by name, like ports. A secret never has a default: it would be stored in the image.
   */
  private List<Recipe.Param> params(List<RawParam> raw, List<Recipe.Param> inherited) {
    List<Recipe.Param> own =
        named(
            raw,
            "params",
            p -> p.name,
            (p, key) -> {
              boolean secret = check.bool(p.secret, key + ".secret", false);
              if (secret && p.defaultValue != null) {
                throw check.error(
                    p.defaultValue,
                    key + ".default",
                    "a secret parameter cannot have a default: it would be stored in the image",
                    "leave it out; a secret that is not given is generated at first boot");
              }
              if (p.defaultValue != null
                  && p.defaultValue.text().length() > MetadataRules.MAX_DEFAULT_LENGTH) {
                throw check.error(
                    p.defaultValue,
                    key + ".default",
                    "is longer than " + MetadataRules.MAX_DEFAULT_LENGTH + " characters",
                    "give a large value at run time, from a file",
                    RecipeRemedy.PARAMETER_FROM_FILE_AT_RUN);
              }
              boolean generate = check.bool(p.generate, key + ".generate", false);
              if (generate && !secret) {
                throw check.error(
                    p.generate,
                    key + ".generate",
                    "only a secret parameter can be generated",
                    "add `secret: true`, or give a non-secret parameter a default");
              }
              return new Recipe.Param(
                  check.matching(p.name, key + ".name", MetadataRules.PARAM_NAME),
                  p.defaultValue == null ? null : p.defaultValue.text(),
                  secret,
                  p.description == null
                      ? ""
                      : check.matching(
                          p.description, key + ".description", MetadataRules.DESCRIPTION),
                  generate);
            });
    return mergeByName(inherited, own, Recipe.Param::name);
  }

  private interface ItemBinder<R, T> {
    T bind(R raw, String key);
  }

  /** Binds a list of named mappings; a name given twice in this file is an error. */
  private <R extends Located, T> List<T> named(
      List<R> raw, String listKey, Function<R, Scalar> name, ItemBinder<R, T> binder) {
    if (raw == null) {
      return List.of();
    }
    List<T> items = new ArrayList<>();
    Map<String, Integer> seen = new HashMap<>();
    for (int i = 0; i < raw.size(); i++) {
      R item = raw.get(i);
      String key = listKey + "[" + i + "]";
      Scalar itemName = check.required(item, name.apply(item), key + ".name");
      Integer earlier = seen.putIfAbsent(itemName.text(), i);
      if (earlier != null) {
        throw check.error(
            itemName,
            key + ".name",
            "'" + itemName.text() + "' is already declared at " + listKey + "[" + earlier + "]",
            null);
      }
      items.add(binder.bind(item, key));
    }
    return items;
  }

  private List<String> unique(
      List<Scalar> raw, String key, BiFunction<Scalar, String, String> convert) {
    List<String> values = new ArrayList<>();
    for (int i = 0; i < raw.size(); i++) {
      Scalar s = raw.get(i);
      String value = convert.apply(s, key + "[" + i + "]");
      if (values.contains(value)) {
        throw check.error(s, key + "[" + i + "]", "'" + value + "' is listed twice", null);
      }
      values.add(value);
    }
    return values;
  }

  private static <T> List<T> mergeByName(List<T> inherited, List<T> own, Function<T, String> name) {
    Map<String, T> merged = new LinkedHashMap<>();
    inherited.forEach(item -> merged.put(name.apply(item), item));
    own.forEach(item -> merged.put(name.apply(item), item));
    return List.copyOf(merged.values());
  }
}
