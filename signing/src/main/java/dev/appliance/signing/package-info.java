/**
 * Public API of cosign-compatible image signing.
 *
 * <ul>
 *   <li>Keys: {@link dev.appliance.signing.KeyPairFiles} (generate), {@link
 *       dev.appliance.signing.PrivateKeys}, {@link dev.appliance.signing.PublicKeys}, {@link
 *       dev.appliance.signing.Passphrase}, {@link dev.appliance.signing.KeyRemedy} (when a key pair
 *       would replace files).
 *   <li>Signatures: {@link dev.appliance.signing.Signer} produces a {@link
 *       dev.appliance.signing.SignatureManifest}; {@link dev.appliance.signing.Verifier} checks
 *       them against a key, an {@link dev.appliance.signing.ExpectedIdentity} and a digest.
 *   <li>Attestations: {@link dev.appliance.signing.Attester} signs in-toto statements ({@link
 *       dev.appliance.signing.AttestationPredicate}: SPDX SBOM, SLSA provenance) in DSSE envelopes;
 *       {@link dev.appliance.signing.AttestationVerifier} checks them; {@link
 *       dev.appliance.signing.RegistryAttestations} stores and fetches them ({@code .att} tag,
 *       referrers).
 *   <li>Local copies: {@link dev.appliance.signing.LocalAttachments} keeps what a pull fetched in
 *       the store, for offline checks.
 *   <li>Transport seams: {@link dev.appliance.signing.SignatureSource} and {@link
 *       dev.appliance.signing.SignatureSink}, implemented by the registry client.
 *   <li>Policy: {@link dev.appliance.signing.policy} (containers-policy.json), applied by {@link
 *       dev.appliance.signing.PolicyGate} to images taken from a registry and by {@link
 *       dev.appliance.signing.StoredImagePolicy} to images already in the store.
 * </ul>
 *
 * {@code dev.appliance.signing.internal} is not API: formats and primitives behind these classes.
 */
package dev.appliance.signing;
