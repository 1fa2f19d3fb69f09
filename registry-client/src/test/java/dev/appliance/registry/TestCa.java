package dev.appliance.registry;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A throw-away certificate authority made with openssl, and a server certificate it signed for
 * 127.0.0.1 and localhost (and any other names asked for).
 */
public record TestCa(Path caCert, Path serverCert, Path serverKey) {

  public static TestCa create(Path dir) throws IOException {
    return create(dir, List.of());
  }

  /**
   * @param extraNames more subjectAltName entries, e.g. {@code IP:10.0.2.2}: the address a QEMU
   *     user-mode network guest reaches the host's 127.0.0.1 on
   */
  public static TestCa create(Path dir, List<String> extraNames) throws IOException {
    Files.createDirectories(dir);
    Path caKey = dir.resolve("ca.key");
    Path caCert = dir.resolve("ca.pem");
    Path key = dir.resolve("server.key");
    Path csr = dir.resolve("server.csr");
    Path cert = dir.resolve("server.pem");
    Path ext = dir.resolve("san.ext");
    StringBuilder names = new StringBuilder("IP:127.0.0.1,DNS:localhost");
    extraNames.forEach(name -> names.append(',').append(name));
    Files.writeString(ext, "subjectAltName=" + names + "\n");
    openssl(
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        caKey.toString(),
        "-out",
        caCert.toString(),
        "-days",
        "2",
        "-subj",
        "/CN=appliance test CA");
    openssl(
        "req",
        "-newkey",
        "ec",
        "-pkeyopt",
        "ec_paramgen_curve:prime256v1",
        "-nodes",
        "-keyout",
        key.toString(),
        "-out",
        csr.toString(),
        "-subj",
        "/CN=localhost");
    openssl(
        "x509",
        "-req",
        "-in",
        csr.toString(),
        "-CA",
        caCert.toString(),
        "-CAkey",
        caKey.toString(),
        "-CAcreateserial",
        "-out",
        cert.toString(),
        "-days",
        "2",
        "-extfile",
        ext.toString());
    return new TestCa(caCert, cert, key);
  }

  private static void openssl(String... args) throws IOException {
    List<String> command = new java.util.ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    RegistryServer.run(command, "");
  }
}
