package dev.appliance.registry;

import dev.appliance.oci.ImageReference;
import java.util.Optional;

/**
 * What push and pull settle before moving any blob: how to reach the registry (checked once, before
 * credentials are sent), the credentials, and the retry rules with their progress lines.
 */
record RegistrySession(
    ImageReference image, Endpoint endpoint, Optional<RegistryCredential> credential, Retry retry) {

  static RegistrySession open(
      ImageReference image, RegistryOptions options, TransferListener listener) {
    RegistryConnection.tuneJdkClient();
    Retry retry = new Retry(options.retry(), listener);
    listener.stage("connecting to " + image.registry());
    Endpoint endpoint = EndpointResolver.resolve(image, options, retry);
    return new RegistrySession(
        image, endpoint, CredentialResolver.resolve(image, options, System.getenv()), retry);
  }

  @Override
  public String toString() {
    // Kept short: the endpoint's TLS context has no useful text.
    return "RegistrySession[" + image + ", " + endpoint.apiRoot() + "]";
  }
}
