/**
 * ed25519 signatures on ledger events. The signature covers the event's chain hash, which
 * already covers its content and its place in the chain (prev_hash, seq), so a forger who
 * edits an event and recomputes every hash after it still cannot produce a signature that
 * verifies under a key listed in the config (`ledger.public_keys`). node:crypto only.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { XpError } from '../core/errors.ts';

export interface SigningKey {
  readonly privateKey: KeyObject;
  readonly keyId: string;
}

/** A public key the config trusts, by the name it is listed under. */
export interface TrustedKey {
  readonly name: string;
  readonly key: KeyObject;
}

/** Trusted keys by key id. */
export type TrustedKeys = ReadonlyMap<string, TrustedKey>;

/** First 16 hex of sha256 over the public key's SPKI DER bytes: short, stable, derived from the key alone. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex').slice(0, 16);
}

/** A PEM public key, or base64 SPKI DER; throws a plain Error saying why when it is not an ed25519 public key. */
export function parsePublicKey(text: string): KeyObject {
  const trimmed = text.trim();
  let key: KeyObject;
  try {
    key = trimmed.includes('-----BEGIN')
      ? createPublicKey(trimmed)
      : createPublicKey({ key: Buffer.from(trimmed, 'base64'), format: 'der', type: 'spki' });
  } catch (cause) {
    throw new Error(`not a public key (expected base64 SPKI DER or a PEM block): ${cause instanceof Error ? cause.message : String(cause)}`);
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new Error(`a ${key.asymmetricKeyType ?? 'unknown'} key, expected ed25519`);
  return key;
}

/** The config's `ledger.public_keys` (already checked by the config loader) by key id. */
export function trustedKeysOf(publicKeys: Readonly<Record<string, string>> | undefined): TrustedKeys {
  const out = new Map<string, TrustedKey>();
  for (const [name, text] of Object.entries(publicKeys ?? {})) {
    const key = parsePublicKey(text);
    out.set(keyIdOf(key), { name, key });
  }
  return out;
}

function badSigningKey(message: string): XpError {
  return new XpError('USAGE', `XP_SIGNING_KEY: ${message}`, {
    hint: 'set XP_SIGNING_KEY to a PKCS8 PEM ed25519 private key, or to the path of a file holding one (`xp ledger keygen` makes one); unset it to append unsigned events',
  });
}

/** Parse XP_SIGNING_KEY's value: a PEM block inline, else the path of a file holding one. */
export function parseSigningKey(value: string): SigningKey {
  const inline = value.includes('-----BEGIN');
  if (!inline && !existsSync(value)) throw badSigningKey(`neither a PEM private key nor an existing file: ${value.length > 80 ? `${value.slice(0, 80)}…` : value}`);
  const pem = inline ? value : readFileSync(value, 'utf8');
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(pem);
  } catch (cause) {
    throw badSigningKey(`${inline ? 'the value' : value} is not a PEM private key: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
  if (privateKey.asymmetricKeyType !== 'ed25519') throw badSigningKey(`a ${privateKey.asymmetricKeyType ?? 'unknown'} key, expected ed25519`);
  return { privateKey, keyId: keyIdOf(createPublicKey(privateKey)) };
}

let cached: { readonly value: string; readonly key: SigningKey } | undefined;

/** The key appends sign with: XP_SIGNING_KEY when set (parsed once per value), else none. */
export function currentSigningKey(env: NodeJS.ProcessEnv = process.env): SigningKey | null {
  const value = env.XP_SIGNING_KEY?.trim();
  if (!value) return null;
  if (cached?.value !== value) cached = { value, key: parseSigningKey(value) };
  return cached.key;
}

/** Sign an event's chain hash (ed25519 takes no digest algorithm: `null`). */
export function signHash(hash: string, key: SigningKey): { signature: string; keyId: string } {
  return { signature: sign(null, Buffer.from(hash), key.privateKey).toString('base64'), keyId: key.keyId };
}

export function signatureValid(hash: string, signature: string, key: KeyObject): boolean {
  try {
    return verify(null, Buffer.from(hash), key, Buffer.from(signature, 'base64'));
  } catch {
    return false; // a signature of the wrong length
  }
}

/** A fresh key pair: the private key for XP_SIGNING_KEY, the public one for `ledger.public_keys`. */
export function generateSigningKey(): { privatePem: string; publicKey: string; keyId: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  return {
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicKey: publicKey.export({ type: 'spki', format: 'der' }).toString('base64'),
    keyId: keyIdOf(publicKey),
  };
}
