/**
 * ed25519 signatures on ledger events: with a signing key every appended event carries a
 * signature over its chain hash, checked by `verifyChain` against the trusted keys, on both
 * state back ends (an embedded DuckDB state file and a real PostgreSQL). The case that
 * matters: a forger who edits an event AND recomputes the whole hash chain passes the hash
 * checks, and is caught by the signature. Unsigned chains verify as before; exports carry
 * the signature; an export without the signature columns still reads.
 */
import { createHash, createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { XpError } from '../../src/core/errors.ts';
import { openDb, type Db } from '../../src/engine/connection.ts';
import type { LedgerEvent, NewEvent } from '../../src/ledger/events.ts';
import { appendEvent, ensureLedgerTables, readEvents, readHeads } from '../../src/ledger/store.ts';
import { currentSigningKey, generateSigningKey, keyIdOf, parseSigningKey, trustedKeysOf, type SigningKey } from '../../src/ledger/signing.ts';
import { exportLedger, readLedgerFile } from '../../src/ledger/transfer.ts';
import { verifyChain } from '../../src/ledger/verify.ts';
import { embeddedState } from '../../src/state/embedded/store.ts';
import { openPostgresState } from '../../src/state/postgres/store.ts';
import type { StateStore } from '../../src/state/state.ts';
import { startPostgres, type PgServer } from '../helpers/postgres.ts';
import { forgeAndRechain } from './forge.ts';

const skipped = (node: string): NewEvent => ({ kind: 'stage_skipped', payload: { runId: 'r', node, stage: 'ingest', reason: 'flag' } });
const tmp = (prefix: string): string => mkdtempSync(path.join(os.tmpdir(), prefix));

const alice = generateSigningKey();
const mallory = generateSigningKey();
const signer = (k: typeof alice): SigningKey => parseSigningKey(k.privatePem);
const trusted = trustedKeysOf({ alice: alice.publicKey });

/** Append three events on consecutive days, signed by `key` (or unsigned). */
async function appendThree(state: StateStore, key: SigningKey | null): Promise<LedgerEvent[]> {
  await ensureLedgerTables(state);
  for (const [i, node] of ['x', 'y', 'z'].entries()) {
    await appendEvent(state, 'exp_a', skipped(node), new Date(Date.UTC(2026, 0, 1 + i)), 'alice', key);
  }
  return (await readEvents(state)).get('exp_a')!;
}

let server: PgServer;
beforeAll(async () => {
  server = await startPostgres();
});
afterAll(() => server?.stop());

describe.each(['embedded', 'postgres'] as const)('signed ledger events (%s state)', (backend) => {
  let n = 0;
  const opened: Db[] = [];
  afterAll(() => { for (const db of opened) db.close(); });
  const open = async (): Promise<StateStore> => {
    if (backend === 'embedded') {
      const db = await openDb(path.join(tmp('xp-sign-'), 'warehouse.duckdb'));
      opened.push(db);
      return embeddedState(db);
    }
    const name = `signing_${++n}`;
    const url = await server.createDatabase(name);
    return openPostgresState({ url, where: `postgres@127.0.0.1:${server.port}/${name}`, host: '127.0.0.1', port: String(server.port), urlEnv: 'XP_STATE_URL' });
  };

  it('signs each event over its chain hash, and the chain verifies against the trusted key', async () => {
    const state = await open();
    try {
      const events = await appendThree(state, signer(alice));
      expect(events.map((e) => e.keyId)).toEqual([alice.keyId, alice.keyId, alice.keyId]);
      // checked with node:crypto directly, not through src/ledger/signing.ts
      const pub = createPublicKey({ key: Buffer.from(alice.publicKey, 'base64'), format: 'der', type: 'spki' });
      for (const e of events) expect(verify(null, Buffer.from(e.hash), pub, Buffer.from(e.signature!, 'base64'))).toBe(true);
      expect(verifyChain('exp_a', events, (await readHeads(state)).get('exp_a'), trusted).problems).toEqual([]);
    } finally {
      await state.close();
    }
  });

  it('catches a forger who edits an event and recomputes the whole hash chain', async () => {
    const state = await open();
    try {
      await appendThree(state, signer(alice));
      await forgeAndRechain(state, 2, { runId: 'r', node: 'forged', stage: 'ingest', reason: 'flag' });
      const events = (await readEvents(state)).get('exp_a')!;
      const head = (await readHeads(state)).get('exp_a');
      expect(events[1]!.payload).toMatchObject({ node: 'forged' });
      // the plain chain is consistent again: only the signatures give the forgery away
      expect(verifyChain('exp_a', events, head).problems).toEqual([]);
      const problems = verifyChain('exp_a', events, head, trusted).problems;
      expect(problems.map((p) => [p.seq, p.problem])).toEqual([[2, 'bad-signature'], [3, 'bad-signature']]);
      expect(problems[0]!.message).toBe(`exp_a seq 2: the stage_skipped event's signature does not verify under key alice (${alice.keyId}): the event or the chain before it was rewritten`);
      expect(problems[0]!.hint).toMatch(/xp ledger import/);
    } finally {
      await state.close();
    }
  });

  it('an event signed by a key not in ledger.public_keys fails, naming the event and the trusted keys', async () => {
    const state = await open();
    try {
      const events = await appendThree(state, signer(mallory));
      const problems = verifyChain('exp_a', events, undefined, trusted).problems;
      expect(problems.map((p) => [p.seq, p.problem])).toEqual([[1, 'unknown-key'], [2, 'unknown-key'], [3, 'unknown-key']]);
      expect(problems[0]!.message).toBe(`exp_a seq 1: the stage_skipped event is signed by key ${mallory.keyId}, which is not in ledger.public_keys`);
      expect(problems[0]!.hint).toContain(`alice (${alice.keyId})`);
      // with no keys configured at all, the hint says how to list one
      expect(verifyChain('exp_a', events, undefined, new Map()).problems[0]!.hint).toMatch(/xp ledger keygen/);
    } finally {
      await state.close();
    }
  });

  it('unsigned chains store no signature and verify as before, keys or not', async () => {
    const state = await open();
    try {
      const events = await appendThree(state, null);
      const rows = await state.db.selectFrom('xp.ledger').select(['signature', 'key_id']).execute();
      expect(rows).toEqual([{ signature: null, key_id: null }, { signature: null, key_id: null }, { signature: null, key_id: null }]);
      expect(events.some((e) => e.signature !== undefined || e.keyId !== undefined)).toBe(false);
      expect(verifyChain('exp_a', events, (await readHeads(state)).get('exp_a'), trusted).problems).toEqual([]);
      expect(verifyChain('exp_a', events, (await readHeads(state)).get('exp_a')).problems).toEqual([]);
    } finally {
      await state.close();
    }
  });
});

describe('XP_SIGNING_KEY', () => {
  it('is a PEM inline or the path of a file holding one; unset means unsigned', () => {
    const file = path.join(tmp('xp-key-'), 'signing.pem');
    writeFileSync(file, alice.privatePem);
    expect(currentSigningKey({ XP_SIGNING_KEY: alice.privatePem })!.keyId).toBe(alice.keyId);
    expect(currentSigningKey({ XP_SIGNING_KEY: file })!.keyId).toBe(alice.keyId);
    expect(currentSigningKey({})).toBeNull();
    expect(currentSigningKey({ XP_SIGNING_KEY: '  ' })).toBeNull();
  });

  it('key ids are the first 16 hex of sha256 over the SPKI DER', () => {
    const { publicKey } = generateKeyPairSync('ed25519');
    const der = publicKey.export({ type: 'spki', format: 'der' });
    const expected = createHash('sha256').update(der).digest('hex').slice(0, 16);
    expect(keyIdOf(publicKey)).toBe(expected);
  });

  it.each([
    ['a missing file', '/nonexistent/key.pem', /neither a PEM private key nor an existing file/],
    ['a PEM that is not a key', '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n', /is not a PEM private key/],
    ['an RSA key', generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), /a rsa key, expected ed25519/],
  ])('refuses %s (USAGE, exit 2)', (_, value, message) => {
    let err: unknown;
    try {
      currentSigningKey({ XP_SIGNING_KEY: value });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(XpError);
    expect((err as XpError).code).toBe('USAGE');
    expect((err as XpError).message).toMatch(message);
    expect((err as XpError).hint).toMatch(/xp ledger keygen/);
  });
});

describe('exports carry the signature', () => {
  it.each(['jsonl', 'parquet'] as const)('through %s, and the read-back chain verifies against the key', async (ext) => {
    const db = await openDb(':memory:');
    try {
      await appendThree(embeddedState(db), signer(alice));
      const file = path.join(tmp('xp-sign-export-'), `ledger.${ext}`);
      await exportLedger(db, ['exp_a'], file);
      const back = (await readLedgerFile(db, file)).get('exp_a')!;
      expect(back.map((e) => e.keyId)).toEqual([alice.keyId, alice.keyId, alice.keyId]);
      expect(verifyChain('exp_a', back, undefined, trusted).problems).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('a Parquet export written before signatures existed (no signature, key_id columns) still reads', async () => {
    const db = await openDb(':memory:');
    try {
      await appendThree(embeddedState(db), null);
      const dir = tmp('xp-sign-old-');
      const current = path.join(dir, 'current.parquet');
      await exportLedger(db, ['exp_a'], current);
      const old = path.join(dir, 'old.parquet');
      const [{ v }] = (await db.all<{ v: string }>("select decode(value) as v from parquet_kv_metadata($1) where decode(key) = 'xp_ledger_end'", [current])) as [{ v: string }];
      await db.run(`copy (select * exclude (signature, key_id) from read_parquet('${current}')) to '${old}' (format parquet, kv_metadata {xp_ledger_end: '${v.replaceAll("'", "''")}'})`);
      const columns = (await db.all<{ name: string }>('select name from parquet_schema($1)', [old])).map((c) => c.name);
      expect(columns).not.toContain('signature');
      const back = (await readLedgerFile(db, old)).get('exp_a')!;
      expect(back).toHaveLength(3);
      expect(verifyChain('exp_a', back, undefined, trusted).problems).toEqual([]);
    } finally {
      db.close();
    }
  });
});
