// Totem public keys: Ed25519 only, given as SPKI PEM or JWK, stored as SPKI PEM, named by a
// SHA-256 fingerprint that technicians can compare with what the CLI prints.
import { createHash, createPublicKey, verify, type JsonWebKey, type KeyObject } from 'node:crypto';

export interface ParsedKey {
  pem: string;
  fingerprint: string;
}

/** Returns the key in canonical form, or undefined when it is not an Ed25519 public key. */
export function parsePublicKey(input: string | Record<string, unknown>): ParsedKey | undefined {
  let key: KeyObject;
  try {
    key =
      typeof input === 'string'
        ? createPublicKey({ key: input, format: 'pem' })
        : createPublicKey({ key: input as JsonWebKey, format: 'jwk' });
  } catch {
    return undefined;
  }
  if (key.type !== 'public' || key.asymmetricKeyType !== 'ed25519') return undefined;
  const der = key.export({ type: 'spki', format: 'der' });
  return {
    pem: key.export({ type: 'spki', format: 'pem' }).toString(),
    fingerprint: `SHA256:${createHash('sha256').update(der).digest('base64').replace(/=+$/, '')}`,
  };
}

/** True when `signature` (base64url) is this key's Ed25519 signature of `text`. */
export function verifySignature(pem: string, text: string, signature: string): boolean {
  try {
    return verify(null, Buffer.from(text, 'utf8'), createPublicKey(pem), Buffer.from(signature, 'base64url'));
  } catch {
    return false;
  }
}
