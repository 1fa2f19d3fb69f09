package dev.appliance.builder;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

/**
 * An SPDX 2.3 JSON document listing the image's Debian packages, one SPDX package per dpkg entry
 * with a {@code pkg:deb/debian/...} purl. Its bytes depend only on the package list and the build's
 * SOURCE_DATE_EPOCH, so equal builds carry equal SBOMs.
 */
final class Sbom {
  /** Where the SBOM lives inside the image (in its own small top layer). */
  static final String PATH = "usr/share/appliance/sbom.spdx.json";

  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private Sbom() {}

  static byte[] spdx(
      String name,
      String version,
      String distributionSuite,
      List<DpkgStatus.Installed> packages,
      Instant created) {
    ObjectNode doc = JSON.createObjectNode();
    doc.put("spdxVersion", "SPDX-2.3");
    doc.put("dataLicense", "CC0-1.0");
    doc.put("SPDXID", "SPDXRef-DOCUMENT");
    doc.put("name", name + "-" + version);
    StringBuilder identity = new StringBuilder(name).append(version);
    packages.forEach(p -> identity.append(p.name()).append(p.version()).append(p.architecture()));
    String hash =
        java.util.HexFormat.of()
            .formatHex(
                LayerWriter.sha256().digest(identity.toString().getBytes(StandardCharsets.UTF_8)));
    doc.put(
        "documentNamespace", "https://appliance.invalid/spdx/" + name + "-" + version + "-" + hash);
    ObjectNode creation = doc.putObject("creationInfo");
    creation.put("created", created.toString());
    creation.putArray("creators").add("Tool: appliance");
    ArrayNode list = doc.putArray("packages");
    ArrayNode relations = doc.putArray("relationships");
    for (DpkgStatus.Installed p : packages) {
      String id =
          "SPDXRef-deb-" + (p.name() + "-" + p.architecture()).replaceAll("[^A-Za-z0-9.-]", "-");
      ObjectNode pkg = list.addObject();
      pkg.put("SPDXID", id);
      pkg.put("name", p.name());
      pkg.put("versionInfo", p.version());
      pkg.put("supplier", "Organization: Debian");
      pkg.put("downloadLocation", "NOASSERTION");
      pkg.put("filesAnalyzed", false);
      pkg.put("licenseConcluded", "NOASSERTION");
      pkg.put("licenseDeclared", "NOASSERTION");
      pkg.put("copyrightText", "NOASSERTION");
      if (!p.source().equals(p.name())) {
        pkg.put("sourceInfo", "built from source package " + p.source() + " " + p.sourceVersion());
      }
      ObjectNode ref = pkg.putArray("externalRefs").addObject();
      ref.put("referenceCategory", "PACKAGE-MANAGER");
      ref.put("referenceType", "purl");
      ref.put("referenceLocator", purl(p, distributionSuite));
      ObjectNode rel = relations.addObject();
      rel.put("spdxElementId", "SPDXRef-DOCUMENT");
      rel.put("relationshipType", "DESCRIBES");
      rel.put("relatedSpdxElement", id);
    }
    try {
      return JSON.writeValueAsBytes(doc);
    } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
      throw new IllegalStateException(e);
    }
  }

  static String purl(DpkgStatus.Installed p, String distributionSuite) {
    StringBuilder purl =
        new StringBuilder("pkg:deb/debian/")
            .append(encode(p.name()))
            .append('@')
            .append(encode(p.version()))
            .append("?arch=")
            .append(p.architecture());
    if (!p.source().equals(p.name())) {
      purl.append("&upstream=").append(encode(p.source()));
    }
    return purl.append("&distro=").append(distributionSuite).toString();
  }

  private static String encode(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%2B");
  }
}
