/** `ledger.public_keys`: each entry must be an ed25519 public key, caught when the config loads, not at verify time. */
import { XpError } from '../core/errors.ts';
import { parsePublicKey } from '../ledger/signing.ts';
import type { YamlSource } from './yaml-source.ts';

export function checkPublicKeys(publicKeys: Readonly<Record<string, string>>, src: YamlSource): void {
  for (const [name, text] of Object.entries(publicKeys)) {
    try {
      parsePublicKey(text);
    } catch (cause) {
      throw new XpError('CONFIG_INVALID', `ledger.public_keys.${name}: ${cause instanceof Error ? cause.message : String(cause)}`, {
        location: { file: src.file, line: src.lineOf(['ledger', 'public_keys', name]) },
        hint: 'paste the public key `xp ledger keygen` printed (base64 SPKI DER, or a PEM block), or remove the entry',
      });
    }
  }
}
