package dev.appliance.runtime.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.appliance.common.InvalidInputException;
import dev.appliance.oci.ApplianceMetadata;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The KubeVirt manifest, every document whole (VirtualMachine with its DataVolume templates,
 * Service), checked strictly against the KubeVirt, CDI and Kubernetes definitions committed under
 * src/test/resources/schema (copied from their published OpenAPI specs): an unknown field is an
 * error, as with {@code kubectl apply --validate=strict}.
 */
class KubeVirtManifestTest {
  private static final String DISK = "registry.example/ops/web-disk@sha256:" + "ab".repeat(32);

  private static List<JsonNode> documents(String yaml) throws IOException {
    YAMLMapper mapper = new YAMLMapper();
    return mapper.readValues(mapper.getFactory().createParser(yaml), JsonNode.class).readAll();
  }

  private static JsonNode vm(KubeVirt.Storage storage) throws IOException {
    return documents(KubeVirt.manifest(ExportTest.METADATA, "web-1.0", DISK, storage)).get(0);
  }

  /** Errors of the whole manifest (VirtualMachine and Service) against the published schemas. */
  static List<String> schemaErrors(List<JsonNode> manifest) throws IOException {
    return StrictSchema.load("/schema/kubevirt-cdi-subset.json").checkManifest(manifest);
  }

  private static List<String> schemaErrors(JsonNode vm) throws IOException {
    return schemaErrors(List.of(vm));
  }

  @Test
  void everyDocumentPassesTheStrictCheckWithEveryFeatureTheExportUses() throws IOException {
    // Capture network (Multus, bridge binding, MAC), a TCP health check, a UDP port, state
    // volume and persistent root: every field the manifest can carry.
    ApplianceMetadata sensor =
        new ApplianceMetadata(
            "ids",
            "2.0",
            List.of(
                new ApplianceMetadata.Port("http", 8080, "tcp"),
                new ApplianceMetadata.Port("syslog", 514, "udp")),
            new ApplianceMetadata.HealthCheck("tcp", 8080, null, 0, 60),
            1024,
            1,
            2L << 30,
            null,
            "",
            List.of(),
            List.of(new ApplianceMetadata.Network("capture", ApplianceMetadata.Network.CAPTURE)));
    List<JsonNode> manifest =
        documents(
            KubeVirt.manifest(
                sensor,
                "ids-2.0",
                DISK,
                new KubeVirt.Storage(
                    new StateVolume(List.of("/var/lib/ids"), 1L << 30), true, 2L << 30)));
    assertEquals(
        List.of("VirtualMachine", "Service"),
        manifest.stream().map(d -> d.get("kind").asText()).toList());
    assertEquals(List.of(), schemaErrors(manifest));
    assertEquals(
        List.of(),
        schemaErrors(documents(KubeVirt.manifest(ExportTest.METADATA, "web-1.0", DISK))));
  }

  @Test
  void theWholeDocumentCheckFindsErrorsDeepInTheVmAndInTheService() throws IOException {
    List<JsonNode> manifest =
        documents(
            KubeVirt.manifest(ExportTest.METADATA, "web-1.0", DISK, KubeVirt.Storage.EPHEMERAL));
    ObjectNode iface =
        (ObjectNode)
            manifest
                .get(0)
                .get("spec")
                .get("template")
                .get("spec")
                .get("domain")
                .get("devices")
                .get("interfaces")
                .get(0);
    iface.put("masquerad", true); // a typo kubectl --validate=strict refuses
    ObjectNode port = (ObjectNode) manifest.get(1).get("spec").get("ports").get(0);
    port.put("targetPort", true);
    ((ObjectNode) manifest.get(1)).put("apiVersion", "core/v1");
    assertEquals(
        List.of(
            "VirtualMachine: spec.template.spec.domain.devices.interfaces[0].masquerad: unknown field",
            "Service: apiVersion 'core/v1'",
            "Service: spec.ports[0].targetPort: expected one of [\"string\",\"integer\"], got BOOLEAN"),
        schemaErrors(manifest));
  }

  @Test
  void stateVolumeIsABlankDataVolumeAttachedWithTheSerialTheGuestLooksFor() throws IOException {
    JsonNode vm =
        vm(
            new KubeVirt.Storage(
                new StateVolume(List.of("/var/lib/mysql", "/srv/data"), 10L << 30), false, 0));
    JsonNode templates = vm.get("spec").get("dataVolumeTemplates");
    assertEquals(1, templates.size());
    JsonNode state = templates.get(0);
    assertEquals("web-1-0-state", state.get("metadata").get("name").asText());
    assertTrue(state.get("spec").get("source").get("blank").isObject());
    assertEquals(
        "10240Mi",
        state.get("spec").get("storage").get("resources").get("requests").get("storage").asText());

    JsonNode spec = vm.get("spec").get("template").get("spec");
    JsonNode disk = spec.get("domain").get("devices").get("disks").get(2);
    assertEquals("state", disk.get("name").asText());
    assertEquals(StateVolume.SERIAL, disk.get("serial").asText());
    JsonNode volume = spec.get("volumes").get(2);
    assertEquals("web-1-0-state", volume.get("dataVolume").get("name").asText());
    assertEquals(DISK, spec.get("volumes").get(0).get("containerDisk").get("image").asText());
    assertEquals(List.of(), schemaErrors(vm));
  }

  @Test
  void persistentRootIsImportedFromTheContainerDiskThroughCdi() throws IOException {
    JsonNode vm =
        vm(
            new KubeVirt.Storage(
                new StateVolume(List.of("/var/lib/mysql"), 1L << 30),
                true,
                (2L << 30) + 65 * (1L << 20)));
    JsonNode root = vm.get("spec").get("dataVolumeTemplates").get(0);
    assertEquals("web-1-0-root", root.get("metadata").get("name").asText());
    assertEquals(
        "docker://" + DISK, root.get("spec").get("source").get("registry").get("url").asText());
    assertEquals(
        "2113Mi",
        root.get("spec").get("storage").get("resources").get("requests").get("storage").asText());
    JsonNode rootVolume = vm.get("spec").get("template").get("spec").get("volumes").get(0);
    assertEquals("rootdisk", rootVolume.get("name").asText());
    assertEquals("web-1-0-root", rootVolume.get("dataVolume").get("name").asText());
    assertTrue(rootVolume.get("containerDisk") == null, "no containerDisk with a persistent root");
    assertEquals(List.of(), schemaErrors(vm));
  }

  @Test
  void withoutStateDirsTheManifestHasNoDataVolume() throws IOException {
    JsonNode vm = vm(KubeVirt.Storage.EPHEMERAL);
    assertTrue(vm.get("spec").get("dataVolumeTemplates") == null);
    assertEquals(2, vm.get("spec").get("template").get("spec").get("volumes").size());
    assertEquals(List.of(), schemaErrors(vm));
  }

  @Test
  void theCheckRejectsAFieldCdiDoesNotHave() throws IOException {
    JsonNode vm = vm(new KubeVirt.Storage(new StateVolume(List.of("/srv"), 1L << 30), false, 0));
    ObjectNode storage =
        (ObjectNode) vm.get("spec").get("dataVolumeTemplates").get(0).get("spec").get("storage");
    storage.put("size", "1Gi"); // not a StorageSpec field
    ((ObjectNode) storage.get("resources").get("requests")).put("storage", "1 GB");
    assertEquals(
        List.of(
            "VirtualMachine: spec.dataVolumeTemplates[0].spec.storage.resources.requests.storage:"
                + " '1 GB' does not"
                + " match "
                + "\"^[+-]?([0-9]+|[0-9]*\\\\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$\"",
            "VirtualMachine: spec.dataVolumeTemplates[0].spec.storage.size: unknown field"),
        schemaErrors(vm));
  }

  @Test
  void stateDirsThatCouldInjectIntoTheBootEntryAreRefused() {
    for (String bad :
        List.of(
            "var/lib", "/var/lib/my sql", "/a,/b", "/srv/../etc", "/srv/\n", "/srv/$(x)", "/")) {
      InvalidInputException e =
          assertThrows(
              InvalidInputException.class, () -> new StateVolume(List.of(bad), 1L << 30), bad);
      assertTrue(e.getMessage().startsWith("state directory '"), e.getMessage());
    }
    assertEquals(
        "appliance.state=/var/lib/mysql,/srv/data",
        new StateVolume(List.of("/var/lib/mysql", "/srv/data"), 1L << 30).kernelArgument());
  }

  @Test
  void containerDiskDefaultInstancetypeFitsTheImage() {
    assertEquals("u1.nano", KubeVirt.instancetype(1, 512));
    assertEquals("u1.micro", KubeVirt.instancetype(1, 768));
    assertEquals("u1.large", KubeVirt.instancetype(2, 2048));
  }
}
