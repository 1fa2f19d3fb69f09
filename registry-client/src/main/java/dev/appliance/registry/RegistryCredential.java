package dev.appliance.registry;

/**
 * A user name and password (or token) for a registry. {@link #toString()} never shows the password,
 * so a credential can not leak through a log line.
 */
public record RegistryCredential(String username, String password) {
  public RegistryCredential {
    if (username == null || username.isEmpty() || password == null) {
      throw new IllegalArgumentException("a registry credential needs a user name and a password");
    }
  }

  @Override
  public String toString() {
    return "RegistryCredential[" + username + ", password hidden]";
  }
}
