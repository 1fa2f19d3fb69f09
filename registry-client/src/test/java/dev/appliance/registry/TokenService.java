package dev.appliance.registry;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;

/**
 * A docker token service for a registry configured with {@code auth: token}: it checks basic
 * credentials and issues RS256 JWTs (signing certificate in the x5c header, trusted by the
 * registry's rootcertbundle) granting the requested repository actions. Test fixture for
 * bearer-token authentication.
 */
public final class TokenService implements AutoCloseable {
  static final String SERVICE = "appliance-test-registry";
  static final String ISSUER = "appliance-test-token-issuer";

  private final HttpServer server;
  private final PrivateKey key;
  private final X509Certificate cert;
  private final String user;
  private final String password;
  private final Path certFile;
  final List<String> scopesRequested = new java.util.concurrent.CopyOnWriteArrayList<>();

  private TokenService(Path dir, String user, String password) throws Exception {
    Files.createDirectories(dir);
    Path keyFile = dir.resolve("token.key");
    certFile = dir.resolve("token.pem");
    RegistryServer.run(
        List.of(
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            keyFile.toString(),
            "-out",
            certFile.toString(),
            "-days",
            "2",
            "-subj",
            "/CN=appliance test token signer"),
        "");
    String pem =
        Files.readString(keyFile).replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    key =
        KeyFactory.getInstance("RSA")
            .generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pem)));
    try (var in = Files.newInputStream(certFile)) {
      cert = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
    this.user = user;
    this.password = password;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/token", this::token);
    server.start();
  }

  public static TokenService start(Path dir, String user, String password) throws Exception {
    return new TokenService(dir, user, password);
  }

  /** The registry config's {@code auth:} section for this service. */
  String registryAuthConfig() {
    return "auth:\n  token:\n"
        + "    realm: http://127.0.0.1:"
        + server.getAddress().getPort()
        + "/token\n"
        + "    service: "
        + SERVICE
        + "\n"
        + "    issuer: "
        + ISSUER
        + "\n"
        + "    rootcertbundle: "
        + certFile
        + "\n";
  }

  private void token(HttpExchange exchange) throws IOException {
    String subject = authenticatedUser(exchange.getRequestHeaders().getFirst("Authorization"));
    if (subject == null) {
      exchange.sendResponseHeaders(401, -1);
      exchange.close();
      return;
    }
    List<String> scopes = new ArrayList<>();
    String query = exchange.getRequestURI().getRawQuery();
    for (String pair : query == null ? new String[0] : query.split("&")) {
      if (pair.startsWith("scope=")) {
        scopes.add(URLDecoder.decode(pair.substring(6), StandardCharsets.UTF_8));
      }
    }
    scopesRequested.addAll(scopes);
    byte[] body =
        ("{\"token\":\"" + jwt(subject, scopes) + "\",\"expires_in\":300}")
            .getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(200, body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }

  /** Anonymous requests get a token without access; wrong credentials get none. */
  private String authenticatedUser(String header) {
    if (header == null) {
      return "";
    }
    String decoded =
        new String(
            Base64.getDecoder().decode(header.substring("Basic ".length())),
            StandardCharsets.UTF_8);
    return decoded.equals(user + ":" + password) ? user : null;
  }

  private String jwt(String subject, List<String> scopes) {
    StringBuilder access = new StringBuilder();
    for (String scope : scopes) {
      String[] parts = scope.split(":");
      if (subject.isEmpty() || parts.length != 3 || !parts[0].equals("repository")) {
        continue;
      }
      access
          .append(access.length() == 0 ? "" : ",")
          .append("{\"type\":\"repository\",\"name\":\"")
          .append(parts[1])
          .append("\",\"actions\":[\"")
          .append(String.join("\",\"", parts[2].split(",")))
          .append("\"]}");
    }
    try {
      long now = Instant.now().getEpochSecond();
      String header =
          "{\"typ\":\"JWT\",\"alg\":\"RS256\",\"x5c\":[\""
              + Base64.getEncoder().encodeToString(cert.getEncoded())
              + "\"]}";
      String claims =
          "{\"iss\":\""
              + ISSUER
              + "\",\"sub\":\""
              + subject
              + "\",\"aud\":\""
              + SERVICE
              + "\","
              + "\"exp\":"
              + (now + 300)
              + ",\"nbf\":"
              + (now - 60)
              + ",\"iat\":"
              + now
              + ","
              + "\"jti\":\""
              + UUID.randomUUID()
              + "\",\"access\":["
              + access
              + "]}";
      String signingInput = base64Url(header) + "." + base64Url(claims);
      Signature rsa = Signature.getInstance("SHA256withRSA");
      rsa.initSign(key);
      rsa.update(signingInput.getBytes(StandardCharsets.US_ASCII));
      return signingInput
          + "."
          + Base64.getUrlEncoder().withoutPadding().encodeToString(rsa.sign());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static String base64Url(String json) {
    return Base64.getUrlEncoder()
        .withoutPadding()
        .encodeToString(json.getBytes(StandardCharsets.UTF_8));
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
