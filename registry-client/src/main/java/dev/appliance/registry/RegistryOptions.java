package dev.appliance.registry;

import java.nio.file.Path;

/**
 * How to reach a registry.
 *
 * @param insecure allow plain HTTP and unverified TLS for any registry (loopback registries may use
 *     plain HTTP without it)
 * @param caCert a PEM file with extra trusted CA certificates, or null
 * @param credential explicit credentials (--username, --password-stdin), or null to look them up in
 *     the docker config and its credential helpers
 * @param dockerConfig the docker config.json to read, or null for $DOCKER_CONFIG or
 *     ~/.docker/config.json
 * @param retry retries of transient failures
 */
public record RegistryOptions(
    boolean insecure,
    Path caCert,
    RegistryCredential credential,
    Path dockerConfig,
    RetryPolicy retry) {

  public RegistryOptions {
    retry = retry == null ? RetryPolicy.DEFAULT : retry;
  }

  public static RegistryOptions defaults() {
    return new RegistryOptions(false, null, null, null, RetryPolicy.DEFAULT);
  }

  public RegistryOptions withInsecure(boolean value) {
    return new RegistryOptions(value, caCert, credential, dockerConfig, retry);
  }

  public RegistryOptions withCaCert(Path value) {
    return new RegistryOptions(insecure, value, credential, dockerConfig, retry);
  }

  public RegistryOptions withCredential(RegistryCredential value) {
    return new RegistryOptions(insecure, caCert, value, dockerConfig, retry);
  }

  public RegistryOptions withDockerConfig(Path value) {
    return new RegistryOptions(insecure, caCert, credential, value, retry);
  }

  public RegistryOptions withRetry(RetryPolicy value) {
    return new RegistryOptions(insecure, caCert, credential, dockerConfig, value);
  }
}
