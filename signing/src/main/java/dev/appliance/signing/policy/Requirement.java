package dev.appliance.signing.policy;

import java.security.interfaces.ECPublicKey;

/** One policy requirement; an image must satisfy every requirement of its scope. */
public sealed interface Requirement {

  /** {@code insecureAcceptAnything}: no check at all. */
  record AcceptAnything() implements Requirement {}

  /** {@code reject}: never accepted. */
  record Reject() implements Requirement {}

  /**
   * {@code sigstoreSigned}: a cosign signature by {@code key} covering the image's digest and
   * naming an identity {@code identity} accepts.
   *
   * @param key from keyPath or keyData
   * @param keySource the file or "keyData", for messages
   */
  record SigstoreSigned(ECPublicKey key, String keySource, SignedIdentity identity)
      implements Requirement {}
}
