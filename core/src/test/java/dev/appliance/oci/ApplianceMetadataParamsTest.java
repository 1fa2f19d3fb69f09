package dev.appliance.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The params label: what run needs to know about each parameter survives the image config. */
class ApplianceMetadataParamsTest {
  private static ApplianceMetadata withParams(List<ApplianceMetadata.Param> params) {
    return new ApplianceMetadata(
        "ids",
        "1",
        List.of(),
        null,
        512,
        1,
        1L << 30,
        new ApplianceMetadata.Kernels(null, null, "/usr/bin/linux.uml"),
        "",
        params);
  }

  @Test
  void aGeneratedSecretKeepsItsFlagThroughTheLabels() {
    List<ApplianceMetadata.Param> params =
        List.of(
            new ApplianceMetadata.Param("ids_token", null, true, "operator token", true),
            new ApplianceMetadata.Param("db_password", null, true, "only the guest uses it"),
            new ApplianceMetadata.Param("home_net", "[10.0.0.0/8]", false, ""));
    Map<String, String> labels = withParams(params).toLabels();

    assertEquals(params, ApplianceMetadata.fromLabels(labels, "ids:1").params());
  }

  /**
   * Images without a generated secret keep the label, and so their digest, they had before the flag
   * existed.
   */
  @Test
  void theFlagIsLeftOutWhenFalse() {
    String label =
        withParams(
                List.of(
                    new ApplianceMetadata.Param("db_password", null, true, "pw"),
                    new ApplianceMetadata.Param("ids_token", null, true, "t", true)))
            .toLabels()
            .get("dev.appliance.params");

    assertEquals(
        "[{\"name\":\"db_password\",\"defaultValue\":null,\"secret\":true,\"description\":\"pw\"},"
            + "{\"name\":\"ids_token\",\"defaultValue\":null,\"secret\":true,\"description\":\"t\",\"generate\":true}]",
        label);
  }

  @Test
  void aLabelWrittenBeforeTheFlagExistedReadsAsNotGenerated() {
    Map<String, String> labels = withParams(List.of()).toLabels();
    labels = new java.util.HashMap<>(labels);
    labels.put(
        "dev.appliance.params",
        "[{\"name\":\"db_password\",\"defaultValue\":null,\"secret\":true,\"description\":\"pw\"}]");

    ApplianceMetadata.Param p = ApplianceMetadata.fromLabels(labels, "lamp:1").params().get(0);
    assertTrue(p.secret());
    assertFalse(p.generate());
  }
}
