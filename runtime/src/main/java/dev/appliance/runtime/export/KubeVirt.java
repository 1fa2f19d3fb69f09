package dev.appliance.runtime.export;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.appliance.common.ApplianceException;
import dev.appliance.oci.ApplianceMetadata;
import dev.appliance.oci.Descriptor;
import dev.appliance.oci.Digest;
import dev.appliance.oci.ImageConfig;
import dev.appliance.oci.Manifest;
import dev.appliance.oci.MediaTypes;
import dev.appliance.registry.ImagePusher;
import dev.appliance.registry.PushResult;
import dev.appliance.registry.RegistryOptions;
import dev.appliance.registry.TransferListener;
import dev.appliance.store.ImageStore;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * KubeVirt output: a containerDisk image (the qcow2 under /disk/, owned by uid 107, the qemu user
 * of virt-launcher) built in the local store and pushed to a registry, and a VirtualMachine with a
 * Service for the image's ports and its health check as readiness probe.
 */
final class KubeVirt {
  /** KubeVirt's virt-launcher runs QEMU as this user. */
  static final int QEMU_UID = 107;

  /** Labels KubeVirt reads from a containerDisk to infer a VM's instance type and preference. */
  static final String INSTANCETYPE_LABEL = "instancetype.kubevirt.io/default-instancetype";

  static final String PREFERENCE_LABEL = "instancetype.kubevirt.io/default-preference";

  /** common-instancetypes' preference for Debian guests (the appliances' base). */
  static final String PREFERENCE = "debian";

  /**
   * What the VirtualMachine keeps beyond the containerDisk.
   *
   * @param state the state volume (a blank DataVolume), or {@link StateVolume#NONE}
   * @param persistentRoot import the root disk through CDI instead of the containerDisk
   * @param rootBytes virtual size of the root disk, what its DataVolume must hold
   */
  record Storage(StateVolume state, boolean persistentRoot, long rootBytes) {
    static final Storage EPHEMERAL = new Storage(StateVolume.NONE, false, 0);
  }

  private final ImageStore store;
  private final RegistryOptions registryOptions;
  private final TransferListener listener;

  KubeVirt(ImageStore store, RegistryOptions registryOptions, TransferListener listener) {
    this.store = store;
    this.registryOptions = registryOptions;
    this.listener = listener;
  }

  /**
   * Builds the containerDisk image in the local store (untagged) and pushes it to {@code ref}.
   *
   * @return {@code ref@digest}, what the VirtualMachine pulls
   */
  @SuppressWarnings("try") // the store lock is held for the block, never used in it
  String publish(Path qcow2, String ref, ApplianceMetadata metadata, Path work) throws IOException {
    Path layer = work.resolve("containerdisk-layer.tar.gz");
    MessageDigest diffId = Digest.newSha256();
    try (OutputStream file = Files.newOutputStream(layer);
        GZIPOutputStream gzip = new GZIPOutputStream(file, 1 << 16);
        DigestOutputStream uncompressed = new DigestOutputStream(gzip, diffId);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(uncompressed)) {
      tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
      TarArchiveEntry dir = new TarArchiveEntry("disk/", TarConstants.LF_DIR);
      owned(dir, 0555);
      tar.putArchiveEntry(dir);
      tar.closeArchiveEntry();
      TarArchiveEntry disk = new TarArchiveEntry("disk/disk.qcow2");
      owned(disk, 0444);
      disk.setSize(Files.size(qcow2));
      tar.putArchiveEntry(disk);
      Files.copy(qcow2, tar);
      tar.closeArchiveEntry();
    }
    Manifest manifest;
    try (AutoCloseable ignored = store.lockForWrite()) {
      Descriptor layerDescriptor = store.putBlobFile(layer, MediaTypes.OCI_LAYER_GZIP, null);
      ImageConfig config =
          ImageConfig.create(
              Instant.EPOCH,
              Map.of(
                  INSTANCETYPE_LABEL,
                  instancetype(metadata.cpus(), metadata.memoryMiB()),
                  PREFERENCE_LABEL,
                  PREFERENCE),
              List.of(Digest.fromSha256(diffId.digest())),
              List.of(
                  new ImageConfig.History(
                      "appliance export --kubevirt", "KubeVirt containerDisk")));
      manifest = Manifest.create(config.descriptor(), List.of(layerDescriptor), Map.of());
      store.putImage(config, manifest);
    } catch (IOException | RuntimeException e) {
      throw e;
    } catch (Exception e) {
      throw new ApplianceException(
          "cannot store the containerDisk " + ref + ": " + e.getMessage(), e);
    }
    // Pushed by digest: no local tag, so a failed push leaves only blobs that gc collects.
    PushResult pushed =
        new ImagePusher(store, registryOptions, listener).push(manifest.digest().toString(), ref);
    return stripTag(ref) + "@" + pushed.digest();
  }

  private static void owned(TarArchiveEntry e, int mode) {
    e.setMode(mode);
    e.setUserId(QEMU_UID);
    e.setGroupId(QEMU_UID);
    e.setModTime(0);
  }

  /** registry/repo:tag to registry/repo (a port's colon stays). */
  static String stripTag(String ref) {
    String withoutDigest = ref.contains("@") ? ref.substring(0, ref.indexOf('@')) : ref;
    int slash = withoutDigest.lastIndexOf('/');
    int colon = withoutDigest.lastIndexOf(':');
    return colon > slash ? withoutDigest.substring(0, colon) : withoutDigest;
  }

  /**
   * The smallest of KubeVirt's common "u1" instance types (general purpose) with at least the
   * image's CPUs and memory; the VirtualMachine itself sets both explicitly.
   */
  static String instancetype(int cpus, long memoryMiB) {
    record Type(String name, int cpus, long memoryMiB) {}
    List<Type> types =
        List.of(
            new Type("u1.nano", 1, 512),
            new Type("u1.micro", 1, 1024),
            new Type("u1.small", 1, 2048),
            new Type("u1.medium", 1, 4096),
            new Type("u1.large", 2, 8192),
            new Type("u1.xlarge", 4, 16384),
            new Type("u1.2xlarge", 8, 32768));
    return types.stream()
        .filter(t -> t.cpus() >= cpus && t.memoryMiB() >= memoryMiB)
        .findFirst()
        .orElse(types.get(types.size() - 1))
        .name();
  }

  /** Without a state volume, the containerDisk as root. */
  static String manifest(ApplianceMetadata metadata, String name, String containerDisk) {
    return manifest(metadata, name, containerDisk, Storage.EPHEMERAL);
  }

  /**
   * A VirtualMachine (with DataVolume templates for the state volume and, when asked, the root
   * disk) and, when the image has ports, a Service, as one multi-document YAML file.
   */
  static String manifest(
      ApplianceMetadata metadata, String name, String containerDisk, Storage storage) {
    String vm = dnsName(name);
    Map<String, Object> labels = Map.of("app.kubernetes.io/name", vm);
    List<Object> vmPorts = new ArrayList<>();
    List<Object> servicePorts = new ArrayList<>();
    for (ApplianceMetadata.Port p : metadata.ports()) {
      String protocol = p.protocol().toUpperCase(Locale.ROOT);
      vmPorts.add(map("name", dnsName(p.name()), "port", p.port(), "protocol", protocol));
      servicePorts.add(
          map(
              "name",
              dnsName(p.name()),
              "port",
              p.port(),
              "targetPort",
              p.port(),
              "protocol",
              protocol));
    }
    Map<String, Object> iface = map("name", "default", "masquerade", Map.of());
    List<Object> disks =
        new ArrayList<>(
            List.of(
                map("name", "rootdisk", "disk", map("bus", "virtio")),
                map("name", "params", "disk", map("bus", "virtio"))));
    List<Object> volumes = new ArrayList<>();
    if (!vmPorts.isEmpty()) {
      iface.put("ports", vmPorts);
    }
    List<Object> interfaces = new ArrayList<>(List.of(iface));
    List<Object> networks = new ArrayList<>(List.of(map("name", "default", "pod", Map.of())));
    for (int i = 0; i < metadata.networks().size(); i++) {
      // A secondary network through Multus: a NetworkAttachmentDefinition of the same name
      // (docs/export.md), with the MAC the image's network configuration expects.
      String net = dnsName(metadata.networks().get(i).name());
      interfaces.add(
          map("name", net, "bridge", Map.of(), "macAddress", ApplianceMetadata.Network.mac(i)));
      networks.add(map("name", net, "multus", map("networkName", net)));
    }
    Map<String, Object> vmSpec =
        map(
            "domain",
                map(
                    "cpu", map("cores", metadata.cpus()),
                    "memory", map("guest", metadata.memoryMiB() + "Mi"),
                    "firmware", map("bootloader", map("efi", map("secureBoot", false))),
                    "devices", map("disks", disks, "interfaces", interfaces)),
            "networks", networks,
            "volumes", volumes);
    List<Object> templates = new ArrayList<>();
    if (storage.persistentRoot()) {
      // CDI imports the containerDisk image (by digest) once; the VM then boots that copy.
      templates.add(
          dataVolume(
              vm + "-root",
              map("registry", map("url", "docker://" + containerDisk)),
              quantity(storage.rootBytes())));
      volumes.add(map("name", "rootdisk", "dataVolume", map("name", vm + "-root")));
    } else {
      volumes.add(map("name", "rootdisk", "containerDisk", map("image", containerDisk)));
    }
    volumes.add(
        // First-boot parameters: a Secret with one key per parameter, seen by the
        // guest as a config disk labelled appliance-cfg (docs/export.md).
        map(
            "name",
            "params",
            "secret",
            map("secretName", vm + "-params", "volumeLabel", "appliance-cfg", "optional", true)));
    if (storage.state().present()) {
      // The guest finds the volume by this serial and formats it on the first boot.
      disks.add(map("name", "state", "serial", StateVolume.SERIAL, "disk", map("bus", "virtio")));
      volumes.add(map("name", "state", "dataVolume", map("name", vm + "-state")));
      templates.add(dataVolume(vm + "-state", map("blank", Map.of()), storage.state().quantity()));
    }
    ApplianceMetadata.HealthCheck h = metadata.health();
    if (h != null) {
      Map<String, Object> probe =
          "http".equals(h.type())
              ? map("httpGet", map("port", h.port(), "path", h.path() == null ? "/" : h.path()))
              : map("tcpSocket", map("port", h.port()));
      probe.put("initialDelaySeconds", 10);
      probe.put("periodSeconds", 5);
      probe.put("failureThreshold", Math.max(3, h.timeoutSeconds() / 5));
      vmSpec.put("readinessProbe", probe);
    }
    Map<String, Object> machineSpec = map("runStrategy", "Always");
    if (!templates.isEmpty()) {
      // Owned by the VirtualMachine: kept across restarts and image upgrades, deleted with it.
      machineSpec.put("dataVolumeTemplates", templates);
    }
    machineSpec.put("template", map("metadata", map("labels", labels), "spec", vmSpec));
    Map<String, Object> machine =
        map(
            "apiVersion",
            "kubevirt.io/v1",
            "kind",
            "VirtualMachine",
            "metadata",
            map(
                "name",
                vm,
                "labels",
                labels,
                "annotations",
                map("dev.appliance.image", metadata.name() + ":" + metadata.version())),
            "spec",
            machineSpec);
    StringBuilder yaml = new StringBuilder(yaml(machine));
    if (!servicePorts.isEmpty()) {
      yaml.append(
          yaml(
              map(
                  "apiVersion",
                  "v1",
                  "kind",
                  "Service",
                  "metadata",
                  map("name", vm, "labels", labels),
                  "spec",
                  map("selector", labels, "ports", servicePorts))));
    }
    return yaml.toString();
  }

  /** A CDI DataVolume template; the storage profile of the cluster picks access and volume mode. */
  private static Map<String, Object> dataVolume(
      String name, Map<String, Object> source, String size) {
    return map(
        "metadata",
        map("name", name),
        "spec",
        map("source", source, "storage", map("resources", map("requests", map("storage", size)))));
  }

  /** Kubernetes quantity, rounded up to whole MiB. */
  static String quantity(long bytes) {
    return ((bytes + (1L << 20) - 1) >> 20) + "Mi";
  }

  private static final YAMLMapper YAML =
      YAMLMapper.builder()
          .disable(YAMLGenerator.Feature.SPLIT_LINES)
          .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
          .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
          .build();

  private static String yaml(Object document) {
    try {
      return YAML.writeValueAsString(document);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  /** An ordered map from alternating keys and values, so the YAML reads in a sensible order. */
  private static Map<String, Object> map(Object... keysAndValues) {
    Map<String, Object> m = new LinkedHashMap<>();
    for (int i = 0; i < keysAndValues.length; i += 2) {
      m.put((String) keysAndValues[i], keysAndValues[i + 1]);
    }
    return m;
  }

  /** Kubernetes object names: lower case letters, digits and '-', at most 63 characters. */
  static String dnsName(String name) {
    String s =
        name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9-]", "-").replaceAll("^-+|-+$", "");
    s = s.length() > 63 ? s.substring(0, 63).replaceAll("-+$", "") : s;
    return s.isEmpty() ? "appliance" : s;
  }
}
