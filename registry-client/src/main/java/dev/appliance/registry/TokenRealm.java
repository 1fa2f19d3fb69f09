package dev.appliance.registry;

import dev.appliance.common.ApplianceException;
import java.net.URI;
import java.net.URISyntaxException;

/**
 * The token service a registry's bearer challenge names (its realm) receives the user's
 * credentials. It must be an absolute https URL whenever the registry is reached over TLS: an http
 * realm would send the password in clear text, so a registry (or whoever altered its answer) cannot
 * downgrade the credentials that way. Plain http is accepted only from a registry that is itself
 * spoken to over plain HTTP (loopback, or --insecure).
 */
final class TokenRealm {
  private static final int MAX_LENGTH = 2048;

  private TokenRealm() {}

  static URI check(String realm, Endpoint endpoint) {
    URI uri;
    try {
      uri =
          realm.length() > MAX_LENGTH || realm.chars().anyMatch(Character::isISOControl)
              ? null
              : new URI(realm);
    } catch (URISyntaxException e) {
      uri = null;
    }
    if (uri == null || !uri.isAbsolute() || uri.getHost() == null) {
      throw new ApplianceException(
          endpoint.registry() + " names a token service (realm) that is not a valid URL");
    }
    String scheme = uri.getScheme().toLowerCase(java.util.Locale.ROOT);
    boolean allowed = scheme.equals("https") || (scheme.equals("http") && endpoint.plainHttp());
    if (!allowed) {
      throw new ApplianceException(
          endpoint.registry()
              + " is reached over HTTPS but names the token service "
              + uri.getScheme()
              + "://"
              + uri.getRawAuthority()
              + uri.getRawPath()
              + ": credentials are sent to a token service only over HTTPS; refused");
    }
    return uri;
  }
}
