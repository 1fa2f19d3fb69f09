package dev.appliance.cli;

import dev.appliance.signing.RemoteSigning;

/** The one-line reports of sign and push --sign-key. */
final class SignatureLines {
  private SignatureLines() {}

  static String signed(RemoteSigning.SignResult result) {
    return "signed "
        + result.named()
        + " ("
        + result.digest()
        + "): tag "
        + result.stored().tag()
        + result.stored().referrer().map(d -> ", referrer " + d).orElse(", no referrers API");
  }
}
