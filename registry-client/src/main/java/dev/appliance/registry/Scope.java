package dev.appliance.registry;

import java.util.List;
import java.util.stream.Collectors;

/**
 * Access a request needs, as a token service grants it: {@code repository:NAME:ACTIONS}. A push
 * needs pull and push on its repository; mounting a blob also needs pull on the repository it comes
 * from.
 */
record Scope(String repository, String actions) {
  static Scope pull(String repository) {
    return new Scope(repository, "pull");
  }

  static Scope push(String repository) {
    return new Scope(repository, "pull,push");
  }

  @Override
  public String toString() {
    return "repository:" + repository + ":" + actions;
  }

  /** One key for a set of scopes, for caching the token that grants them. */
  static String key(List<Scope> scopes) {
    return scopes.stream().map(Scope::toString).collect(Collectors.joining(" "));
  }
}
