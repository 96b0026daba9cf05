/** Pure parts of the ledger: canonical hashing, the fold, --at, chain checks, import planning. */
import { describe, expect, it } from 'vitest';
import { canonicalJson, eventHash } from '../../src/ledger/canonical.ts';
import type { LedgerEvent, NewEvent } from '../../src/ledger/events.ts';
import { applyEvent, eventsAt, foldEvents, initialState } from '../../src/ledger/fold.ts';
import { verifyChain } from '../../src/ledger/verify.ts';
import { planImport } from '../../src/ledger/transfer.ts';
import { estimateEta } from '../../src/ledger/progress.ts';

/** Build a valid chain in memory, as the store would. */
function chain(id: string, list: readonly NewEvent[], start = Date.parse('2026-01-05T00:00:00Z')): LedgerEvent[] {
  const out: LedgerEvent[] = [];
  list.forEach((e, i) => {
    const seq = i + 1;
    const at = new Date(start + i * 60_000).toISOString();
    const prevHash = out[i - 1]?.hash ?? '';
    const payload = JSON.parse(canonicalJson(e.payload)) as unknown;
    out.push({ seq, experimentId: id, at, kind: e.kind, payload, prevHash, hash: eventHash({ prevHash, seq, experimentId: id, at, kind: e.kind, payload }) } as LedgerEvent);
  });
  return out;
}

const config = { experiment: { name: 'A', variants: { control: 0.5, treatment: 0.5 } }, metrics: {} };
const history: NewEvent[] = [
  { kind: 'registered', payload: { name: 'A' } },
  { kind: 'config_snapshot', payload: { config, hash: 'c1', designHash: 'd1', reason: 'registered' } },
  { kind: 'status_changed', payload: { from: 'draft', to: 'running', action: 'start' } },
  { kind: 'input_snapshot', payload: { hash: 'in1', objects: [{ key: 'exp_a/events/p0.parquet', size: 10, etag: 'e1' }], bytes: 10, runId: 'r1' } },
  { kind: 'build_started', payload: { runId: 'r1', command: 'xp build', pid: 1, host: 'h', inputHash: 'in1', configHash: 'c1' } },
  { kind: 'stage_finished', payload: { runId: 'r1', node: 'stg_events', stage: 'ingest', fingerprint: 'f1', rows: 200, seconds: 0.1, reason: 'new' } },
  // r1 is killed here; r2 resumes
  { kind: 'build_started', payload: { runId: 'r2', command: 'xp build', pid: 2, host: 'h', inputHash: 'in1', configHash: 'c1', resumes: 'r1' } },
  { kind: 'stage_failed', payload: { runId: 'r2', node: 'user_values', stage: 'ingest', code: 'MODEL_FAILED', message: 'boom', seconds: 0.2 } },
  { kind: 'build_finished', payload: { runId: 'r2', status: 'error', seconds: 1, built: 0, fresh: 1, skipped: 1, failed: 1 } },
  { kind: 'build_started', payload: { runId: 'r3', command: 'xp build', pid: 3, host: 'h', inputHash: 'in1', configHash: 'c1' } },
  { kind: 'stage_failed', payload: { runId: 'r3', node: 'user_values', stage: 'ingest', code: 'MODEL_FAILED', message: 'boom again', seconds: 0.2 } },
  { kind: 'build_finished', payload: { runId: 'r3', status: 'error', seconds: 1, built: 0, fresh: 1, skipped: 1, failed: 1 } },
  { kind: 'look', payload: { look: 1, informationFraction: 0.25, z: 1.1, boundary: 4.3, alphaSpent: 0.0001, decision: 'continue', inputHash: 'in1' } },
  { kind: 'build_started', payload: { runId: 'r4', command: 'xp build', pid: 4, host: 'h', inputHash: 'in1', configHash: 'c1' } },
  { kind: 'stage_finished', payload: { runId: 'r4', node: 'user_values', stage: 'ingest', fingerprint: 'f2', rows: 50, seconds: 0.1 } },
  { kind: 'build_finished', payload: { runId: 'r4', status: 'success', seconds: 1, built: 1, fresh: 1, skipped: 0, failed: 0 } },
  { kind: 'status_changed', payload: { from: 'running', to: 'paused', action: 'pause' } },
];

describe('canonical JSON and event hashes', () => {
  it('sorts keys at every level and drops undefined members', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: undefined }], c: null } })).toBe('{"a":{"c":null,"d":[2,{"z":1}]},"b":1}');
  });
  it('hashes equal payloads equally whatever the key order', () => {
    const base = { prevHash: '', seq: 1, experimentId: 'x', at: '2026-01-01T00:00:00.000Z', kind: 'registered' };
    expect(eventHash({ ...base, payload: { a: 1, b: 2 } })).toBe(eventHash({ ...base, payload: { b: 2, a: 1 } }));
    expect(eventHash({ ...base, payload: { a: 1 } })).not.toBe(eventHash({ ...base, seq: 2, payload: { a: 1 } }));
  });
});

describe('foldEvents', () => {
  const events = chain('exp_a', history);
  const s = foldEvents('exp_a', events);

  it('folds status, config, input, looks and builds', () => {
    expect(s.status).toBe('paused');
    expect(s.statusHistory.map((h) => `${h.from}>${h.to}`)).toEqual(['draft>running', 'running>paused']);
    expect(s.config?.hash).toBe('c1');
    expect(s.input?.hash).toBe('in1');
    expect(s.looks).toHaveLength(1);
    expect(s.looks[0]).toMatchObject({ look: 1, informationFraction: 0.25, seq: 13 });
    expect(s.alphaSpent).toBe(0.0001);
    expect(s.builds).toEqual({ started: 4, succeeded: 1, failed: 2, interrupted: 1 });
    expect(s.lastBuild).toMatchObject({ runId: 'r4', status: 'success', finished: ['user_values'] });
    expect(s.seq).toBe(events.length);
    expect(s.head).toBe(events.at(-1)!.hash);
  });

  it('counts failed attempts per stage, keeps the first error, resets on success', () => {
    const beforeFix = foldEvents('exp_a', events.slice(0, 13));
    expect(beforeFix.stages['user_values']).toMatchObject({ lastStatus: 'failed', attempts: 2, firstError: { message: 'boom', runId: 'r2' } });
    expect(beforeFix.attempts).toBe(3); // r1 interrupted, r2 and r3 failed
    expect(beforeFix.firstError).toMatchObject({ message: 'boom', node: 'user_values' });
    expect(beforeFix.stages['stg_events']?.lastGood).toMatchObject({ fingerprint: 'f1', rows: 200, runId: 'r1' });
    expect(s.stages['user_values']).toMatchObject({ lastStatus: 'finished', attempts: 0, lastGood: { fingerprint: 'f2' } });
    expect(s.stages['user_values']?.firstError).toBeUndefined();
    expect(s.attempts).toBe(0);
    expect(s.firstError).toBeUndefined();
  });

  it('marks a build that never finished as unfinished and names it in the next one', () => {
    const killed = foldEvents('exp_a', events.slice(0, 6));
    expect(killed.lastBuild).toMatchObject({ runId: 'r1', status: 'unfinished', finished: ['stg_events'] });
    const resumed = foldEvents('exp_a', events.slice(0, 7));
    expect(resumed.lastBuild).toMatchObject({ runId: 'r2', resumes: 'r1' });
    expect(resumed.builds.interrupted).toBe(1);
  });

  it('equals the live state built event by event, at every prefix', () => {
    let live = initialState('exp_a');
    events.forEach((e, i) => {
      live = applyEvent(live, e);
      expect(foldEvents('exp_a', JSON.parse(JSON.stringify(events.slice(0, i + 1))) as LedgerEvent[])).toEqual(live);
    });
  });

  it('--at takes a seq or a timestamp', () => {
    expect(eventsAt(events, '3')).toHaveLength(3);
    expect(eventsAt(events, events[4]!.at)).toHaveLength(5);
    expect(eventsAt(events, '2000-01-01T00:00:00Z')).toHaveLength(0);
    expect(foldEvents('exp_a', eventsAt(events, '3')).status).toBe('running');
  });
});

describe('verifyChain', () => {
  const events = chain('exp_a', history);
  const head = { seq: events.length, hash: events.at(-1)!.hash, at: events.at(-1)!.at };

  it('accepts an intact chain', () => {
    expect(verifyChain('exp_a', events, head).problems).toEqual([]);
  });

  it('detects an edited event', () => {
    const edited = events.map((e) => (e.seq === 13 ? ({ ...e, payload: { ...e.payload, alphaSpent: 0.05 } } as LedgerEvent) : e));
    const r = verifyChain('exp_a', edited, head);
    expect(r.problems.map((p) => [p.seq, p.problem])).toEqual([[13, 'edited']]);
    expect(r.problems[0]!.message).toMatch(/exp_a seq 13: .*look event was edited/);
  });

  it('detects an edit whose hash was recomputed: the next link breaks', () => {
    const edited = [...events];
    const e = { ...edited[12]!, payload: { ...(edited[12]!.payload as object), alphaSpent: 0.05 } } as LedgerEvent;
    edited[12] = { ...e, hash: eventHash(e) } as LedgerEvent;
    expect(verifyChain('exp_a', edited, head).problems.map((p) => [p.seq, p.problem])).toEqual([[14, 'broken-link']]);
  });

  it('detects a deleted event, and a deleted newest event through the head', () => {
    expect(verifyChain('exp_a', events.filter((e) => e.seq !== 8), head).problems.map((p) => [p.seq, p.problem])).toEqual([[8, 'missing']]);
    const r = verifyChain('exp_a', events.slice(0, -1), head);
    expect(r.problems.map((p) => [p.seq, p.problem])).toEqual([[events.length, 'head-mismatch']]);
    expect(verifyChain('exp_a', [], head).problems).toHaveLength(1);
  });
});

describe('planImport', () => {
  const events = chain('exp_a', history);
  it('imports, extends, or does nothing', () => {
    expect(planImport('exp_a', events, [])).toMatchObject({ action: 'imported', added: events.length });
    expect(planImport('exp_a', events, events.slice(0, 5))).toMatchObject({ action: 'extended', added: events.length - 5 });
    expect(planImport('exp_a', events.slice(0, 5), events)).toMatchObject({ action: 'up-to-date', added: 0 });
  });
  it('refuses a diverging history', () => {
    const other = chain('exp_a', [...history.slice(0, 8), { kind: 'status_changed', payload: { from: 'running', to: 'cancelled', action: 'cancel' } }]);
    expect(() => planImport('exp_a', other, events)).toThrow(/diverges .* at seq 9; refusing to overwrite/);
  });
});

describe('estimateEta', () => {
  it('extrapolates the mean step time', () => {
    expect(estimateEta(10, 2, 6)).toBe(20);
    expect(estimateEta(10, 0, 6)).toBeUndefined();
    expect(estimateEta(10, 6, 6)).toBe(0);
  });
});
