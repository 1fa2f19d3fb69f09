package dev.appliance.recipe;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;

/**
 * A recipe file as written, before checks, defaults and inheritance. Every key a recipe may use is
 * a {@code @JsonProperty} here and nothing else is accepted; {@link RecipeBinder} turns this into a
 * {@link Recipe}. A null field means the key is absent (or empty), which for settings means
 * "inherit".
 */
final class RawRecipe extends Located {
  @JsonProperty("extends")
  Scalar extendsFile;

  @JsonProperty("name")
  Scalar name;

  @JsonProperty("version")
  Scalar version;

  @JsonProperty("description")
  Scalar description;

  @JsonProperty("base")
  RawBase base;

  @JsonProperty("packages")
  List<Scalar> packages;

  @JsonProperty("files")
  List<RawFile> files;

  @JsonProperty("run")
  List<Scalar> run;

  @JsonProperty("services")
  RawServices services;

  @JsonProperty("users")
  List<RawUser> users;

  @JsonProperty("groups")
  List<RawGroup> groups;

  @JsonProperty("state-dirs")
  List<Scalar> stateDirs;

  @JsonProperty("ports")
  List<RawPort> ports;

  @JsonProperty("networks")
  List<RawNetwork> networks;

  @JsonProperty("health")
  RawHealth health;

  @JsonProperty("resources")
  RawResources resources;

  @JsonProperty("kernels")
  RawKernels kernels;

  @JsonProperty("params")
  List<RawParam> params;

  @JsonProperty("data")
  RawData data;

  static final class RawData extends Located {
    @JsonProperty("version")
    Scalar version;

    @JsonProperty("upgrade")
    Scalar upgrade;
  }

  static final class RawBase extends Located {
    @JsonProperty("distribution")
    Scalar distribution;

    @JsonProperty("suite")
    Scalar suite;

    @JsonProperty("variant")
    Scalar variant;

    @JsonProperty("mirror")
    Scalar mirror;

    @JsonProperty("components")
    List<Scalar> components;
  }

  static final class RawFile extends Located {
    @JsonProperty("source")
    Scalar source;

    @JsonProperty("dest")
    Scalar dest;

    @JsonProperty("mode")
    Scalar mode;

    @JsonProperty("owner")
    Scalar owner;

    @JsonProperty("group")
    Scalar group;
  }

  static final class RawServices extends Located {
    @JsonProperty("enable")
    List<Scalar> enable;

    @JsonProperty("disable")
    List<Scalar> disable;

    @JsonProperty("mask")
    List<Scalar> mask;
  }

  static final class RawUser extends Located {
    @JsonProperty("name")
    Scalar name;

    @JsonProperty("uid")
    Scalar uid;

    @JsonProperty("group")
    Scalar group;

    @JsonProperty("groups")
    List<Scalar> groups;

    @JsonProperty("home")
    Scalar home;

    @JsonProperty("shell")
    Scalar shell;

    @JsonProperty("system")
    Scalar system;
  }

  static final class RawGroup extends Located {
    @JsonProperty("name")
    Scalar name;

    @JsonProperty("gid")
    Scalar gid;

    @JsonProperty("system")
    Scalar system;
  }

  static final class RawPort extends Located {
    @JsonProperty("name")
    Scalar name;

    @JsonProperty("port")
    Scalar port;

    @JsonProperty("protocol")
    Scalar protocol;
  }

  static final class RawNetwork extends Located {
    @JsonProperty("name")
    Scalar name;

    @JsonProperty("role")
    Scalar role;
  }

  static final class RawHealth extends Located {
    @JsonProperty("type")
    Scalar type;

    @JsonProperty("port")
    Scalar port;

    @JsonProperty("path")
    Scalar path;

    @JsonProperty("status")
    Scalar status;

    @JsonProperty("timeout")
    Scalar timeout;
  }

  static final class RawResources extends Located {
    @JsonProperty("memory")
    Scalar memory;

    @JsonProperty("cpus")
    Scalar cpus;

    @JsonProperty("disk")
    Scalar disk;
  }

  static final class RawKernels extends Located {
    @JsonProperty("qemu")
    Scalar qemu;

    @JsonProperty("uml")
    Scalar uml;

    @JsonProperty("uml-suite")
    Scalar umlSuite;
  }

  static final class RawParam extends Located {
    @JsonProperty("name")
    Scalar name;

    @JsonProperty("default")
    Scalar defaultValue;

    @JsonProperty("secret")
    Scalar secret;

    @JsonProperty("generate")
    Scalar generate;

    @JsonProperty("description")
    Scalar description;
  }
}
