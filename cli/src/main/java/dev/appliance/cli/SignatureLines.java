package dev.appliance.cli;

import dev.appliance.signing.RemoteSigning;

/** The one-line reports of sign, attest and push --sign-key. */
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

  static String attested(RemoteSigning.AttestResult result) {
    return "attested "
        + result.named()
        + " ("
        + result.digest()
        + "): "
        + String.join(", ", result.predicateTypes())
        + "; tag "
        + result.stored().tag()
        + (result.stored().referrers().isEmpty()
            ? ", no referrers API"
            : ", " + result.stored().referrers().size() + " referrers");
  }
}
