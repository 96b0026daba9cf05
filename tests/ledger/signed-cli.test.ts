/**
 * Signed ledgers through the real CLI on the mini project: `xp ledger keygen` makes the key
 * pair, a build with XP_SIGNING_KEY (a file path) signs every event it appends, `xp ledger
 * verify` passes with the public key in the config, and fails (exit 1, naming the event,
 * with a hint) when a forger edits an event in the warehouse and recomputes the whole
 * chain, or when the signer's key is not in the config.
 */
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openDb } from '../../src/engine/connection.ts';
import { editConfig, ledger, makeProject, warehouse, writeRaw, xp } from './helpers.ts';
import { forgeAndRechain } from './forge.ts';

let keyFile = '';
let publicLine = '';
let keyId = '';

beforeAll(async () => {
  const root = makeProject();
  const r = await xp(root, ['ledger', 'keygen', '--name', 'ci_runner']);
  expect(r.code).toBe(0);
  const pem = /-----BEGIN PRIVATE KEY-----\n[\s\S]+?-----END PRIVATE KEY-----\n/.exec(r.stdout)![0];
  keyId = /key id ([0-9a-f]{16})/.exec(r.stdout)![1]!;
  publicLine = /^ledger: \{ public_keys: \{ ci_runner: "[A-Za-z0-9+/=]+" \} \}$/m.exec(r.stdout)![0];
  keyFile = path.join(root, 'signing.pem');
  writeFileSync(keyFile, pem);
});

/** A mini project whose exp_a was built with the signing key; `trust` adds the keygen config line. */
async function signedProject(trust: boolean): Promise<string> {
  const root = makeProject();
  if (trust) editConfig(root, (y) => `${y}${publicLine}\n`);
  await writeRaw(root, 'exp_a', 0, 0, 40);
  const b = await xp(root, ['build', '--select', 'exp_a'], { XP_SIGNING_KEY: keyFile });
  expect(b.code, b.stderr).toBe(0);
  return root;
}

describe('xp ledger verify with signed events', () => {
  it('a build signs every event; verify passes with the key in the config', async () => {
    const root = await signedProject(true);
    const events = await ledger(root);
    expect(events.length).toBeGreaterThan(3);
    expect(new Set(events.map((e) => e.keyId))).toEqual(new Set([keyId]));
    const r = await xp(root, ['ledger', 'verify']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ok {6}exp_a: \d+ events/m);
  });

  it('catches an edited event whose whole chain was recomputed (exit 1, naming seq, experiment, kind)', async () => {
    const root = await signedProject(true);
    const db = await openDb(warehouse(root));
    try {
      const first = (await ledger(root))[0]!;
      expect(first.kind).toBe('registered');
      await forgeAndRechain(db, 1, { ...(first.payload as object), name: 'forged' });
    } finally {
      db.close();
    }
    const r = await xp(root, ['ledger', 'verify']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`BROKEN  exp_a seq 1: bad-signature: the registered event's signature does not verify under key ci_runner (${keyId})`);
    expect(r.stdout).not.toMatch(/edited|broken-link|head-mismatch/); // the plain chain is consistent
    expect(r.stdout).toMatch(/^ {8}hint: restore the experiment/m);
    expect(r.stderr).toMatch(/error\[LEDGER_CORRUPT\] experiment exp_a: 1 broken chain\(s\); first: exp_a at seq 1/);
  });

  it('import checks signatures too: a signed export imports, a forged-and-rechained one is refused', async () => {
    const root = await signedProject(true);
    const good = path.join(root, 'good.jsonl');
    expect((await xp(root, ['ledger', 'export', '--select', 'exp_a', '--to', good])).code).toBe(0);
    const db = await openDb(warehouse(root));
    try {
      const first = (await ledger(root))[0]!;
      await forgeAndRechain(db, 1, { ...(first.payload as object), name: 'forged' });
    } finally {
      db.close();
    }
    // export checks the hash chain only, which the forger made consistent
    const forged = path.join(root, 'forged.parquet');
    expect((await xp(root, ['ledger', 'export', '--select', 'exp_a', '--to', forged])).code).toBe(0);
    const elsewhere = makeProject();
    editConfig(elsewhere, (y) => `${y}${publicLine}\n`);
    const refused = await xp(elsewhere, ['ledger', 'import', forged]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/the chain of exp_a is broken at seq 1: the registered event's signature does not verify under key ci_runner/);
    expect(existsSync(warehouse(elsewhere)) ? await ledger(elsewhere) : []).toEqual([]);
    const ok = await xp(elsewhere, ['ledger', 'import', good]);
    expect(ok.code, ok.stderr).toBe(0);
    expect((await ledger(elsewhere)).every((e) => e.keyId === keyId)).toBe(true);
    expect((await xp(elsewhere, ['ledger', 'verify'])).code).toBe(0);
  });

  it('an event signed by a key the config does not list fails verify', async () => {
    const root = await signedProject(false);
    const r = await xp(root, ['ledger', 'verify']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`BROKEN  exp_a seq 1: unknown-key: the registered event is signed by key ${keyId}, which is not in ledger.public_keys`);
    expect(r.stdout).toMatch(/hint: list the signers' public keys under ledger\.public_keys/);
  });

  it('a bad XP_SIGNING_KEY stops the build before anything is appended (exit 2)', async () => {
    const root = makeProject();
    await writeRaw(root, 'exp_a', 0, 0, 40);
    const r = await xp(root, ['build', '--select', 'exp_a'], { XP_SIGNING_KEY: path.join(root, 'missing.pem') });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/XP_SIGNING_KEY: neither a PEM private key nor an existing file/);
    expect(existsSync(warehouse(root)) ? await ledger(root) : []).toEqual([]);
  });
});
