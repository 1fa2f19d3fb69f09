package dev.appliance.runtime.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.appliance.oci.ApplianceMetadata;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;

/**
 * Every export wires an image's capture interface as a second NIC with the MAC its guest
 * configuration matches; libvirt's own validator checks the domain.
 */
class CaptureExportTest {
  private static final ApplianceMetadata SENSOR =
      new ApplianceMetadata(
          "ids",
          "1.0",
          List.of(new ApplianceMetadata.Port("alerts", 8080, "tcp")),
          null,
          1024,
          1,
          64L << 20,
          null,
          "",
          List.of(),
          List.of(new ApplianceMetadata.Network("capture", "capture")));

  @TempDir Path tmp;

  @Test
  void libvirtAddsABridgeInterfaceWithTheCaptureMacAfterTheManagementOne() throws Exception {
    Path xml =
        Files.writeString(
            tmp.resolve("ids.xml"),
            LibvirtDomain.xml(SENSOR, "ids", tmp.resolve("ids.qcow2"), ExportFormat.QCOW2, null));
    ExportTest.run("virt-xml-validate", xml.toString(), "domain");
    Document d = DocumentBuilderFactory.newInstance().newDocumentBuilder().parse(xml.toFile());
    NodeList interfaces = d.getElementsByTagName("interface");
    assertEquals(2, interfaces.getLength());
    assertEquals("network", ((Element) interfaces.item(0)).getAttribute("type"));
    Element capture = (Element) interfaces.item(1);
    assertEquals("bridge", capture.getAttribute("type"));
    assertEquals(
        "capture",
        ((Element) capture.getElementsByTagName("source").item(0)).getAttribute("bridge"));
    assertEquals(
        "02:a9:70:00:00:01",
        ((Element) capture.getElementsByTagName("mac").item(0)).getAttribute("address"));
  }

  @Test
  void ovaHasASecondNicOnTheCaptureNetwork() throws Exception {
    String ovf = Ova.descriptor(SENSOR, "ids-1.0", "ids-1.0-disk1.vmdk", 1000, 64L << 20);
    DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
    factory.setNamespaceAware(true);
    Document d =
        factory
            .newDocumentBuilder()
            .parse(new ByteArrayInputStream(ovf.getBytes(StandardCharsets.UTF_8)));
    String ovfNs = "http://schemas.dmtf.org/ovf/envelope/1";
    String rasd =
        "http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData";
    NodeList networks = d.getElementsByTagNameNS(ovfNs, "Network");
    assertEquals(2, networks.getLength());
    assertEquals("capture", ((Element) networks.item(1)).getAttributeNS(ovfNs, "name"));
    NodeList connections = d.getElementsByTagNameNS(rasd, "Connection");
    assertEquals(
        List.of("nat", "capture"),
        List.of(connections.item(0).getTextContent(), connections.item(1).getTextContent()));
    Element nic = (Element) connections.item(1).getParentNode();
    assertEquals(
        "02:a9:70:00:00:01", nic.getElementsByTagNameNS(rasd, "Address").item(0).getTextContent());
    NodeList ids = d.getElementsByTagNameNS(rasd, "InstanceID");
    java.util.Set<String> unique = new java.util.HashSet<>();
    for (int i = 0; i < ids.getLength(); i++) {
      assertTrue(unique.add(ids.item(i).getTextContent()), "InstanceIDs are unique: " + ovf);
    }
  }

  @Test
  void kubevirtAddsAMultusSecondaryNetwork() throws Exception {
    List<JsonNode> docs =
        new YAMLMapper()
            .readValues(
                new YAMLMapper()
                    .getFactory()
                    .createParser(KubeVirt.manifest(SENSOR, "ids-1.0", "r/ids@sha256:00")),
                JsonNode.class)
            .readAll();
    JsonNode spec = docs.get(0).get("spec").get("template").get("spec");
    JsonNode interfaces = spec.get("domain").get("devices").get("interfaces");
    assertEquals(2, interfaces.size());
    assertEquals("default", interfaces.get(0).get("name").asText());
    assertTrue(interfaces.get(0).has("masquerade"));
    assertEquals("capture", interfaces.get(1).get("name").asText());
    assertTrue(interfaces.get(1).has("bridge"));
    assertEquals("02:a9:70:00:00:01", interfaces.get(1).get("macAddress").asText());
    JsonNode networks = spec.get("networks");
    assertEquals("capture", networks.get(1).get("name").asText());
    assertEquals("capture", networks.get(1).get("multus").get("networkName").asText());
  }
}
