package dev.appliance.e2e.support;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A test CA and server certificates it signs, made with the real openssl (EC P-256, two days): for
 * appliances given a certificate and key as secrets, verified by clients with {@code --cacert}.
 *
 * @param dir where ca.pem, server.pem and server.key (and openssl's scratch files) are
 */
public record TestCertificates(Path dir) {
  private static final String EC = "ec_paramgen_curve:prime256v1";

  /**
   * A new CA in {@code dir} and a server certificate for {@code name} it signed: a DNS name, or an
   * IPv4 address (an IP subject alternative name).
   */
  public static TestCertificates issue(Path dir, String name) throws Exception {
    Files.createDirectories(dir);
    Files.writeString(
        dir.resolve("server.ext"),
        "subjectAltName="
            + (name.matches("[0-9]{1,3}(\\.[0-9]{1,3}){3}") ? "IP:" : "DNS:")
            + name
            + "\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature"
            + "\nextendedKeyUsage=serverAuth\nsubjectKeyIdentifier=hash"
            + "\nauthorityKeyIdentifier=keyid\n");
    TestCertificates ca = new TestCertificates(dir);
    ca.openssl(
        "req",
        "-x509",
        "-newkey",
        "ec",
        "-pkeyopt",
        EC,
        "-nodes",
        "-days",
        "2",
        "-subj",
        "/CN=appliance test CA",
        // What strict verifiers (Python 3.13's default context) require of a CA.
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem");
    ca.openssl(
        "req",
        "-new",
        "-newkey",
        "ec",
        "-pkeyopt",
        EC,
        "-nodes",
        "-subj",
        "/CN=" + name,
        "-keyout",
        "server.key",
        "-out",
        "server.csr");
    ca.openssl(
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        "2",
        "-extfile",
        "server.ext",
        "-out",
        "server.pem");
    return ca;
  }

  public Path caPem() {
    return dir.resolve("ca.pem");
  }

  public Path serverPem() {
    return dir.resolve("server.pem");
  }

  public Path serverKey() {
    return dir.resolve("server.key");
  }

  /** The server's certificate and key as a PKCS#12 key store (for a Java TLS server). */
  public Path serverPkcs12(String password) throws Exception {
    openssl(
        "pkcs12",
        "-export",
        "-in",
        "server.pem",
        "-inkey",
        "server.key",
        "-passout",
        "pass:" + password,
        "-out",
        "server.p12");
    return dir.resolve("server.p12");
  }

  /** A new EC key that belongs to no certificate, as {@code name} in {@link #dir}. */
  public Path otherKey(String name) throws Exception {
    openssl("genpkey", "-algorithm", "EC", "-pkeyopt", EC, "-out", name);
    return dir.resolve(name);
  }

  /** The key's base64 body on one line: what would show if the key leaked into a log. */
  public static String keyBody(Path key) throws IOException {
    return Files.readAllLines(key).stream()
        .filter(l -> !l.startsWith("-----"))
        .findFirst()
        .orElseThrow();
  }

  private void openssl(String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of("openssl"));
    command.addAll(List.of(args));
    Process process =
        new ProcessBuilder(command)
            .directory(dir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("openssl.log").toFile())
            .start();
    assertTrue(process.waitFor(60, TimeUnit.SECONDS), "openssl did not end");
    assertEquals(
        0, process.exitValue(), command + ":\n" + Files.readString(dir.resolve("openssl.log")));
  }
}
