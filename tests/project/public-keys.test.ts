/**
 * `ledger.public_keys` in the project config: ed25519 public keys as base64 SPKI DER or PEM
 * load; a malformed entry, or a key of another type, is a CONFIG_INVALID naming the config
 * file, the line and the key's name (exit 2 from the CLI).
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { XpError } from '../../src/core/errors.ts';
import { generateSigningKey, trustedKeysOf } from '../../src/ledger/signing.ts';
import { loadConfig } from '../../src/project/load-config.ts';
import { xp } from '../helpers/cli.ts';
import { configProject, loadConfigError } from '../helpers/config-error.ts';

let dir: string | undefined;
afterEach(() => { if (dir) rmSync(dir, { recursive: true, force: true }); dir = undefined; });

function project(ledger: string): string {
  dir = configProject('xp-keys-', `metrics:
  conversion: { type: binomial, event: purchase }
${ledger}`);
  return dir;
}

const loadError = (root: string): XpError => loadConfigError(root);

describe('ledger.public_keys', () => {
  it('loads base64 SPKI DER and PEM ed25519 keys, trusted by their key ids', () => {
    const a = generateSigningKey();
    const { publicKey } = generateKeyPairSync('ed25519');
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const root = project(`ledger:\n  public_keys:\n    alice: "${a.publicKey}"\n    bob: |\n${pem.trimEnd().split('\n').map((l) => `      ${l}`).join('\n')}\n`);
    const c = loadConfig('configs/dev.yaml', root);
    const keys = trustedKeysOf(c.ledger?.public_keys);
    expect(keys.get(a.keyId)?.name).toBe('alice');
    expect([...keys.values()].map((k) => k.name).sort()).toEqual(['alice', 'bob']);
  });

  it('a project without ledger: trusts no key', () => {
    expect(trustedKeysOf(loadConfig('configs/dev.yaml', project('')).ledger?.public_keys).size).toBe(0);
  });

  it.each([
    ['not base64 DER', 'not-a-key', /^ledger\.public_keys\.bob: not a public key \(expected base64 SPKI DER or a PEM block\)/],
    ['a broken PEM', '"-----BEGIN PUBLIC KEY-----\\nAAAA\\n-----END PUBLIC KEY-----\\n"', /^ledger\.public_keys\.bob: not a public key/],
    ['an x25519 key', `"${generateKeyPairSync('x25519').publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}"`, /^ledger\.public_keys\.bob: a x25519 key, expected ed25519$/],
  ])('refuses %s, naming the file, line and key', async (_, value, message) => {
    const root = project(`ledger:\n  public_keys:\n    alice: "${generateSigningKey().publicKey}"\n    bob: ${value}\n`);
    const err = loadError(root);
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.message).toMatch(message);
    expect(err.location).toMatchObject({ file: path.join(root, 'configs/dev.yaml'), line: 6 });
    expect(err.hint).toMatch(/xp ledger keygen/);
    const r = await xp(root, 'ledger', 'verify');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ledger.public_keys.bob');
  });
});
