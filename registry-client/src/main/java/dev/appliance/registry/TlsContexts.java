package dev.appliance.registry;

import dev.appliance.common.InvalidInputException;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.Collection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/** The TLS trust appliance uses towards registries. */
final class TlsContexts {
  private TlsContexts() {}

  /** The JDK's trusted CAs, plus the certificates in {@code caCert} when given. */
  static SSLContext verifying(Path caCert) {
    try {
      if (caCert == null) {
        return SSLContext.getDefault();
      }
      KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      int i = 0;
      for (X509Certificate ca : systemTrustManager().getAcceptedIssuers()) {
        trust.setCertificateEntry("system-" + i++, ca);
      }
      for (Certificate ca : readPem(caCert)) {
        trust.setCertificateEntry("ca-cert-" + i++, ca);
      }
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(trust);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, factory.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
    }
  }

  /** Accepts any certificate: only for --insecure. */
  static SSLContext trustAll() {
    return withTrustManager(true);
  }

  /**
   * Refuses every certificate. For plain-HTTP registries, whose clients never complete a TLS
   * handshake: unlike the default context it costs nothing to make (no CA store to load), which is
   * most of a short pull's start-up.
   */
  static SSLContext trustNothing() {
    return withTrustManager(false);
  }

  private static SSLContext withTrustManager(boolean trustAll) {
    // An extended trust manager, or the JDK would still check the host name.
    TrustManager manager =
        new X509ExtendedTrustManager() {
          @Override
          public void checkClientTrusted(X509Certificate[] chain, String authType) {}

          @Override
          public void checkServerTrusted(X509Certificate[] chain, String authType)
              throws CertificateException {
            if (!trustAll) {
              throw new CertificateException("this connection trusts no certificate");
            }
          }

          @Override
          public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

          @Override
          public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
              throws CertificateException {
            checkServerTrusted(chain, authType);
          }

          @Override
          public void checkClientTrusted(
              X509Certificate[] chain, String authType, SSLEngine engine) {}

          @Override
          public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
              throws CertificateException {
            checkServerTrusted(chain, authType);
          }

          @Override
          public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
          }
        };
    try {
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(null, new TrustManager[] {manager}, null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot set up TLS: " + e.getMessage(), e);
    }
  }

  private static X509TrustManager systemTrustManager() throws GeneralSecurityException {
    TrustManagerFactory factory =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    factory.init((KeyStore) null);
    for (TrustManager manager : factory.getTrustManagers()) {
      if (manager instanceof X509TrustManager x509) {
        return x509;
      }
    }
    throw new GeneralSecurityException("the JDK has no X.509 trust manager");
  }

  private static Collection<? extends Certificate> readPem(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      Collection<? extends Certificate> certs =
          CertificateFactory.getInstance("X.509").generateCertificates(in);
      if (certs.isEmpty()) {
        throw new InvalidInputException("CA certificates " + file + ": no certificate in the file");
      }
      return certs;
    } catch (IOException e) {
      throw new InvalidInputException(
          "CA certificates " + file + ": cannot read: " + e.getMessage(), e);
    } catch (CertificateException e) {
      throw new InvalidInputException(
          "CA certificates " + file + ": not a PEM certificate: " + e.getMessage(), e);
    }
  }
}
