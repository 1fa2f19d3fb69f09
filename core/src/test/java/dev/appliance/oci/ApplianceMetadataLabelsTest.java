package dev.appliance.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.appliance.common.InvalidInputException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Labels are read from untrusted images: each rule of the recipe language applies, errors name
 * image and label.
 */
class ApplianceMetadataLabelsTest {
  private static final String IMAGE = "127.0.0.1:5000/x:1";

  static ApplianceMetadata valid() {
    return new ApplianceMetadata(
        "web",
        "1.0.0",
        List.of(new ApplianceMetadata.Port("http", 80, "tcp")),
        new ApplianceMetadata.HealthCheck("http", 80, "/healthz", 200, 120),
        512,
        1,
        2L << 30,
        new ApplianceMetadata.Kernels(
            "/boot/vmlinuz-6.12", "/boot/initrd.img-6.12", "/usr/bin/linux.uml"),
        "quiet net.ifnames=0",
        List.of(
            new ApplianceMetadata.Param("home_net", "any", false, "networks"),
            new ApplianceMetadata.Param("token", null, true, "a secret")),
        List.of(new ApplianceMetadata.Network("capture", "capture")));
  }

  private static Map<String, String> labelsWith(String label, String value) {
    Map<String, String> labels = new HashMap<>(valid().toLabels());
    labels.put(ApplianceMetadata.PREFIX + label, value);
    return labels;
  }

  private static String refused(String label, String value) {
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class,
            () -> ApplianceMetadata.fromLabels(labelsWith(label, value), IMAGE));
    assertTrue(e.getMessage().startsWith(IMAGE + ": "), e.getMessage());
    assertTrue(
        e.getMessage().contains("label " + ApplianceMetadata.PREFIX + label), e.getMessage());
    assertTrue(
        e.getMessage().codePoints().allMatch(c -> c >= 0x20 && c != 0x7f),
        "printable: " + e.getMessage());
    return e.getMessage();
  }

  @Test
  void validLabelsRoundTrip() {
    assertEquals(valid(), ApplianceMetadata.fromLabels(valid().toLabels(), IMAGE));
  }

  @Test
  void anImageWithoutExtraNetworksHasNoNetworksLabel() {
    ApplianceMetadata plain =
        new ApplianceMetadata(
            "web", "1", List.of(), null, 512, 1, 2L << 30, null, "", List.of(), List.of());
    assertTrue(
        !plain.toLabels().containsKey(ApplianceMetadata.PREFIX + "networks"),
        "older images' labels, hence digests, stay as they were");
    assertEquals(List.of(), ApplianceMetadata.fromLabels(plain.toLabels(), IMAGE).networks());
  }

  @Test
  void onlyTheNameIsRequiredAndTheDefaultsPassTheRules() {
    ApplianceMetadata m =
        ApplianceMetadata.fromLabels(Map.of(ApplianceMetadata.PREFIX + "name", "web"), IMAGE);
    assertEquals(2L << 30, m.diskBytes());
    assertEquals(List.of(), m.params());
    ApplianceMetadata umlOnly =
        ApplianceMetadata.fromLabels(
            Map.of(
                ApplianceMetadata.PREFIX + "name",
                "web",
                ApplianceMetadata.PREFIX + "kernels",
                "{\"umlKernel\":\"/usr/bin/linux.uml\"}"),
            IMAGE);
    assertEquals(
        new ApplianceMetadata.Kernels(null, null, "/usr/bin/linux.uml"),
        umlOnly.kernels(),
        "absent fields are null");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      quoteCharacter = '`',
      value = {
        "name|../../etc|is not a valid image name",
        "name|WEB|is not a valid image name",
        "version|1.0 beta|is not a valid image tag",
        "memory-mib|0|0 is out of range (64-1048576)",
        "memory-mib|99999999999|99999999999 is out of range (64-1048576)",
        "memory-mib|-5|-5 is out of range",
        "memory-mib|1e9|'1e9' is not a whole number",
        "cpus|100000|100000 is out of range (1-64)",
        "cpus|0|0 is out of range (1-64)",
        "cpus|99999999999999999999|is too large",
        "disk-bytes|1152921504606846976|1048576T is out of range (64M to 16T)",
        "disk-bytes|-1|-1 is out of range (64M to 16T)",
        "disk-bytes|1073741825|is not a whole number of MiB",
        "disk-bytes|` 1073741824`|is not a whole number",
        "ports|[{\"name\":\"http\",\"port\":0,\"protocol\":\"tcp\"}]|ports[0].port: 0 is out of range (1-65535)",
        "ports|[{\"name\":\"http\",\"port\":80,\"protocol\":\"sctp\"}]|ports[0].protocol: 'sctp' is not one of tcp, udp",
        "ports|[{\"name\":\"Http Server\",\"port\":80,\"protocol\":\"tcp\"}]|ports[0].name: 'Http Server' is not a port name",
        "ports|[{\"name\":\"http\",\"port\":80,\"protocol\":\"tcp\"},{\"name\":\"http\",\"port\":81,\"protocol\":\"tcp\"}]|ports[1].name: 'http' is declared twice",
        "ports|[{\"name\":\"http\",\"port\":\"80\",\"protocol\":\"tcp\"}]|malformed label dev.appliance.ports",
        "ports|[{\"name\":\"http\",\"port\":80,\"protocol\":\"tcp\",\"host\":\"0.0.0.0\"}]|malformed label dev.appliance.ports",
        "ports|null|expected a JSON list",
        "ports|[null]|expected a JSON list",
        "ports|[] []|malformed label dev.appliance.ports",
        "health|{\"type\":\"exec\",\"port\":80,\"path\":\"/\",\"status\":200,\"timeoutSeconds\":1}|health type: 'exec' is not one of http, tcp",
        "health|{\"type\":\"http\",\"port\":22,\"path\":\"/\",\"status\":200,\"timeoutSeconds\":1}|health port: 22 is not one of the appliance's tcp ports",
        "health|{\"type\":\"http\",\"port\":80,\"path\":\"/ HTTP/1.1\\r\\nX: y\",\"status\":200,\"timeoutSeconds\":1}|health path: '/ HTTP/1.1\\u000d\\u000aX: y' is not an HTTP path",
        "health|{\"type\":\"http\",\"port\":80,\"path\":\"/\",\"status\":200,\"timeoutSeconds\":999999}|health timeoutSeconds: 999999 is out of range (1-3600)",
        "health|{\"type\":\"http\",\"port\":80,\"path\":\"/\",\"status\":1000,\"timeoutSeconds\":5}|health status: 1000 is out of range (100-599)",
        "kernels|{\"qemuKernel\":\"../../../etc/passwd\",\"qemuInitrd\":null,\"umlKernel\":null}|kernels qemuKernel: '../../../etc/passwd' is not an absolute, normalized file path",
        "kernels|{\"qemuKernel\":null,\"qemuInitrd\":null,\"umlKernel\":\"/usr/bin/../../etc/x\"}|kernels umlKernel: '/usr/bin/../../etc/x' is not an absolute",
        "kernel-cmdline|quiet ubd7=/etc/passwd|'ubd7=/etc/passwd' is a User-Mode Linux host option (ubd...)",
        "kernel-cmdline|con1=port:9999|'con1=port:9999' is a User-Mode Linux host option (con...)",
        "kernel-cmdline|mem=1T|'mem=1T' is a User-Mode Linux host option (mem=...)",
        "params|[{\"name\":\"../../../../tmp/pwned\",\"defaultValue\":\"x\",\"secret\":false,\"description\":\"\"}]|params[0].name: '../../../../tmp/pwned' is not a parameter name",
        "params|[{\"name\":\"/tmp/pwned\",\"defaultValue\":\"x\",\"secret\":false,\"description\":\"\"}]|params[0].name: '/tmp/pwned' is not a parameter name",
        "params|[{\"name\":\"a\",\"defaultValue\":\"x\",\"secret\":false,\"description\":\"\"},{\"name\":\"a\",\"defaultValue\":\"y\",\"secret\":false,\"description\":\"\"}]|params[1].name: 'a' is declared twice",
        "params|[{\"name\":\"pw\",\"defaultValue\":\"hunter2\",\"secret\":true,\"description\":\"\"}]|params[0].defaultValue: a secret parameter has no default",
        "params|[{\"name\":\"a\",\"defaultValue\":\"x\",\"secret\":false,\"description\":\"\\u001b]0;owned\\u0007\"}]|params[0].description: '\\u001b]0;owned\\u0007' is not a description",
        "networks|[{\"name\":\"capture\",\"role\":\"bridge\"}]|networks[0].role: 'bridge' is not one of capture",
        "networks|[{\"name\":\"vec0\",\"role\":\"capture\"}]|networks[0].name: 'vec0' is not a network name",
        "networks|[{\"name\":\"a,mac=x\",\"role\":\"capture\"}]|networks[0].name: 'a,mac=x' is not a network name",
        "networks|[{\"name\":\"a\",\"role\":\"capture\"},{\"name\":\"a\",\"role\":\"capture\"}]|networks[1].name: 'a' is declared twice",
        "networks|[{\"name\":\"a\",\"role\":\"capture\"},{\"name\":\"b\",\"role\":\"capture\"},{\"name\":\"c\",\"role\":\"capture\"},{\"name\":\"d\",\"role\":\"capture\"},{\"name\":\"e\",\"role\":\"capture\"}]|networks: 5 entries, more than 4",
      })
  void labelsFollowTheRecipeRules(String label, String value, String expected) {
    String message = refused(label, value);
    assertTrue(message.contains(expected), message);
  }

  @Test
  void aLineBreakCannotSmuggleASecondKernelArgument() {
    String message = refused("kernel-cmdline", "quiet\nubd1=/etc/shadow");
    assertTrue(message.contains("character U+000A at offset 5"), message);
  }

  @Test
  void listsAndDefaultsAreBounded() {
    StringBuilder ports = new StringBuilder("[");
    for (int i = 1; i <= MetadataRules.MAX_LIST_SIZE + 1; i++) {
      ports
          .append(i > 1 ? "," : "")
          .append("{\"name\":\"p")
          .append(i)
          .append("\",\"port\":")
          .append(i)
          .append(",\"protocol\":\"tcp\"}");
    }
    Map<String, String> labels = labelsWith("ports", ports.append("]").toString());
    labels.remove(ApplianceMetadata.PREFIX + "health");
    InvalidInputException e =
        assertThrows(
            InvalidInputException.class, () -> ApplianceMetadata.fromLabels(labels, IMAGE));
    assertTrue(e.getMessage().contains("257 entries, more than 256"), e.getMessage());

    String huge = "x".repeat(MetadataRules.MAX_DEFAULT_LENGTH + 1);
    String message =
        refused(
            "params",
            "[{\"name\":\"a\",\"defaultValue\":\""
                + huge
                + "\",\"secret\":false,\"description\":\"\"}]");
    assertTrue(
        message.contains("params[0].defaultValue: is longer than 1048576 characters"), message);
  }
}
