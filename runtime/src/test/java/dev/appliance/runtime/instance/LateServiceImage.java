package dev.appliance.runtime.instance;

import dev.appliance.common.ApplianceDirs;
import dev.appliance.oci.ApplianceMetadata;
import dev.appliance.runtime.disk.TestLayer;
import java.io.IOException;
import java.util.List;
import java.util.Map;

/**
 * The test appliance plus services that start {@link #DELAY_SECONDS} after boot: a silent one
 * (busybox httpd on {@link #SILENT_PORT}, which waits for the client to speak) and one that speaks
 * first (a banner on {@link #BANNER_PORT}, as SSH, SMTP or MySQL do). Nothing ever listens on
 * {@link #NOTHING_PORT}. Each image differs only in its tcp health check, the label a health test
 * is about.
 */
final class LateServiceImage {
  static final int DELAY_SECONDS = 20;
  static final int SILENT_PORT = 8080;
  static final int BANNER_PORT = 2222;
  static final int NOTHING_PORT = 9999;
  static final String BANNER = "LATE-BANNER ready";

  private static final String SILENT_UNIT =
      unit("Silent service listening late", "busybox httpd -f -p " + SILENT_PORT + " -h /srv/www");
  private static final String BANNER_UNIT =
      unit(
          "Banner service listening late",
          "busybox nc -ll -p " + BANNER_PORT + " -e /usr/local/bin/late-banner");
  private static final String BANNER_SCRIPT = "#!/bin/sh\necho '" + BANNER + "'\n";

  private LateServiceImage() {}

  /**
   * Stores (once) and returns the reference of the image whose tcp health check is on {@code
   * guestPort}.
   */
  static String withTcpHealth(ApplianceDirs dirs, int guestPort) throws IOException {
    return DerivedImage.store(
        dirs,
        "runtime-test-tcp" + guestPort,
        services(),
        b ->
            DerivedImage.metadata(
                b,
                "runtime-test-tcp" + guestPort,
                "1",
                List.of(
                    new ApplianceMetadata.Port("http", 80, "tcp"),
                    new ApplianceMetadata.Port("late-http", SILENT_PORT, "tcp"),
                    new ApplianceMetadata.Port("late-banner", BANNER_PORT, "tcp"),
                    new ApplianceMetadata.Port("nothing", NOTHING_PORT, "tcp")),
                new ApplianceMetadata.HealthCheck("tcp", guestPort, null, 0, 300)),
        Map.of());
  }

  private static TestLayer services() {
    String wants = "etc/systemd/system/multi-user.target.wants/";
    return new TestLayer()
        .file("usr/local/bin/late-banner", BANNER_SCRIPT, 0755, 0, 0)
        .file("etc/systemd/system/late-http.service", SILENT_UNIT)
        .file("etc/systemd/system/late-banner.service", BANNER_UNIT)
        .symlink(wants + "late-http.service", "/etc/systemd/system/late-http.service")
        .symlink(wants + "late-banner.service", "/etc/systemd/system/late-banner.service");
  }

  private static String unit(String description, String command) {
    return "[Unit]\nDescription="
        + description
        + "\nAfter=demo-web.service\n\n[Service]\n"
        + "ExecStart=/bin/sh -c 'sleep "
        + DELAY_SECONDS
        + "; exec "
        + command
        + "'\n";
  }
}
