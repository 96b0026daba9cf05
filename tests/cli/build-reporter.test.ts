/**
 * The terminal build reporter over BuildEvents: the live line fitted to the terminal (a
 * small terminal emulator shows what a redraw leaves behind), its rate and ETA, the k/n
 * numbering without gaps, one line per analysis, WARN / FAIL lines for data quality.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { buildReporter } from '../../src/cli/print/build-reporter.ts';
import type { BuildEvent, PlanEvent } from '../../src/core/events.ts';
import type { PlanStep, StepResult } from '../../src/core/results.ts';

const EXP = 'exp_checkout_button_001';
const step = (model: string, over: Partial<PlanStep> = {}): PlanStep => ({
  experimentId: EXP, model, materialized: 'partitioned', stage: 'ingest', action: 'build', reason: 'new', fingerprint: 'f', sql: 'select 1', ...over,
});
const ok = (node: string, rows: number, seconds: number): StepResult => ({ experimentId: EXP, node, stage: 'ingest', status: 'success', rows, seconds });
const fresh = (node: string): StepResult => ({ experimentId: EXP, node, stage: 'ingest', status: 'skipped', reason: 'fresh', seconds: 0 });
const plan = (steps: PlanStep[], analyses: string[] = [], memo = false): PlanEvent => ({ type: 'plan', steps, experiments: [EXP], analyses, memo });
const start = (node: string, experimentId: string | null = EXP): BuildEvent => ({ type: 'step-start', experimentId, node, stage: 'ingest' });
const end = (result: StepResult): BuildEvent => ({ type: 'step-end', result });

/**
 * Enough of a terminal to see stale lines: printable characters wrap at `width`, `\r`
 * returns to the start of the row, `\n` starts the next row, ESC[2K clears the row.
 */
class Terminal {
  readonly rows: string[][] = [[]];
  private row = 0;
  private col = 0;
  constructor(readonly width: number) {}
  write(text: string): void {
    for (let i = 0; i < text.length; i++) {
      const ch = text[i]!;
      if (ch === '\r') this.col = 0;
      else if (ch === '\n') this.newRow();
      else if (ch === '\x1b') {
        const m = /^\x1b\[(\d*)K/.exec(text.slice(i));
        if (!m) throw new Error(`unexpected escape sequence ${JSON.stringify(text.slice(i, i + 6))}`);
        if (m[1] === '2') this.rows[this.row] = [];
        else this.rows[this.row]!.length = this.col;
        i += m[0].length - 1;
      } else {
        if (this.col >= this.width) this.newRow(); // wrap
        const r = this.rows[this.row]!;
        while (r.length < this.col) r.push(' ');
        r[this.col++] = ch;
      }
    }
  }
  private newRow(): void {
    this.row++;
    this.col = 0;
    this.rows[this.row] ??= [];
  }
  screen(): string[] {
    return this.rows.map((r) => r.join('').trimEnd());
  }
}

function tty(width: number) {
  const term = new Terminal(width);
  const writes: string[] = [];
  return { term, writes, out: { isTTY: true, columns: width, write: (s: string) => { writes.push(s); term.write(s); } } };
}

/** The live lines drawn: each redraw is one write, "\r ESC[2K" and the line, no newline. */
const liveLines = (writes: readonly string[]): string[] =>
  writes.filter((w) => w.startsWith('\r\x1b[2K') && w.length > 5).map((w) => {
    expect(w.slice(5)).not.toMatch(/[\r\n\x1b]/);
    return w.slice(5);
  });

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'performance'] });
});
afterEach(() => {
  vi.useRealTimers();
});

/** A build of long names on a terminal: three models, 2.5 s each, redrawn every 250 ms. */
function longBuild(report: (e: BuildEvent) => void): void {
  const models = ['metric_aggregates_daily_by_segment', 'metric_aggregates_overall_by_segment', 'experiment_registry'];
  report(plan(models.map((m) => step(m))));
  for (const m of models) {
    report(start(m));
    vi.advanceTimersByTime(2500);
    report(end(ok(m, 2_000_000, 2.5)));
  }
}

describe('the live line on a terminal', () => {
  for (const width of [80, 40]) {
    it(`fits ${width} columns and leaves no stale line behind on redraw`, () => {
      const t = tty(width);
      const report = buildReporter(t.out);
      report(plan([step('metric_aggregates_daily_by_segment'), step('outcomes')]));
      report(start('metric_aggregates_daily_by_segment'));
      report(end(ok('metric_aggregates_daily_by_segment', 2_000_000, 2.5)));
      report(start('outcomes'));
      vi.advanceTimersByTime(2500); // ten redraws
      const drawn = liveLines(t.writes);
      expect(drawn.length).toBeGreaterThanOrEqual(11);
      for (const line of drawn) expect([...line].length, line).toBeLessThan(width);
      // the screen: the plan, one step line (each fits, or wraps once drawn for good), and one live row
      const screen = t.term.screen().filter(Boolean);
      expect(screen.filter((r) => r.includes(' · '))).toHaveLength(1);
      expect(screen.at(-1)).toMatch(/^(\[[█░]+\] )?2\/2 /);
      expect(screen.at(-1)).toContain('ETA');
    });
  }

  it('at 40 columns shortens the name but keeps the count, the elapsed time and the ETA', () => {
    const t = tty(40);
    const report = buildReporter(t.out);
    longBuild(report);
    for (const line of liveLines(t.writes)) {
      expect([...line].length).toBeLessThan(40);
      expect(line).toMatch(/^\d\/3 /);
      expect(line).toMatch(/ · \d+\.\d+s/);
    }
    expect(liveLines(t.writes).some((l) => l.includes('…'))).toBe(true);
    // nothing of a live line is left once the steps are done
    expect(t.term.screen().filter((r) => r.includes(' · '))).toEqual([]);
  });

  it('falls back to 80 columns when the terminal gives no width', () => {
    const writes: string[] = [];
    const report = buildReporter({ isTTY: true, write: (s) => void writes.push(s) });
    longBuild(report);
    const drawn = liveLines(writes);
    const widest = Math.max(...drawn.map((l) => [...l].length));
    expect(widest).toBeLessThan(80);
    expect(widest).toBeGreaterThan(70); // the room of 80 columns is used
  });

  it('within a step the rate stays and the ETA only falls; both come from the finished steps', () => {
    const t = tty(200);
    const report = buildReporter(t.out);
    report(plan([step('a'), step('b'), step('c'), step('d')]));
    report(start('a'));
    vi.advanceTimersByTime(1000);
    report(end(ok('a', 10_000, 1)));
    const before = t.writes.length;
    report(start('b'));
    vi.advanceTimersByTime(3000); // a slow step: three times the first one
    const lines = liveLines(t.writes.slice(before));
    const rates = lines.map((l) => /· ([\d,]+) rows\/s/.exec(l)?.[1]);
    const etas = lines.map((l) => Number(/ETA (\d+\.\d+)s/.exec(l)?.[1]));
    expect(new Set(rates)).toEqual(new Set(['10,000']));
    expect(lines.every((l) => l.includes('· 10,000 rows ·'))).toBe(true);
    for (let i = 1; i < etas.length; i++) expect(etas[i]).toBeLessThanOrEqual(etas[i - 1]!);
    expect(etas[0]).toBeCloseTo(3, 1); // 1 s each for b, c and d
    expect(etas.at(-1)).toBeCloseTo(2, 1); // b used up its share: c and d remain
    expect(lines.at(-1)).toMatch(/ · 3\.00s · /); // the running step's own elapsed time
  });

  it('shows no ETA while only up-to-date steps (which take no time) have finished', () => {
    const t = tty(200);
    const report = buildReporter(t.out);
    report(plan([step('a', { action: 'skip', reason: 'fresh' }), step('b')]));
    report(end(fresh('a')));
    report(start('b'));
    vi.advanceTimersByTime(500);
    expect(liveLines(t.writes).every((l) => !l.includes('ETA'))).toBe(true);
  });

  it('a long phase (generation) shows its elapsed time, and its end line replaces it', () => {
    const t = tty(100);
    const report = buildReporter(t.out);
    report({ type: 'phase', experimentId: EXP, phase: 'generate', detail: '2,000,000 users', ongoing: true });
    vi.advanceTimersByTime(1000);
    expect(liveLines(t.writes).at(-1)).toBe(`${EXP}: generate (2,000,000 users) · 1.00s`);
    report({ type: 'phase', experimentId: EXP, phase: 'generated', detail: '2,000,000 users: 1,800,000 exposure rows', seconds: 41.25 });
    expect(t.term.screen().filter(Boolean)).toEqual([`${EXP}: generated (2,000,000 users: 1,800,000 exposure rows) in 41.3s`]);
  });
});

describe('the step lines', () => {
  const piped = () => {
    let text = '';
    return { out: { write: (s: string) => void (text += s) }, text: () => text };
  };

  it('off a terminal: plain lines, numbered over the whole build without gaps', () => {
    const c = piped();
    const report = buildReporter(c.out);
    report(plan([step('stg', { experimentId: null, materialized: 'ephemeral', action: 'skip', reason: 'ephemeral' }), step('a', { action: 'skip', reason: 'fresh' }),
      step('b', { action: 'skip', reason: 'fresh' }), step('c')], ['srm'], true));
    report(end({ experimentId: null, node: 'stg', stage: 'ingest', status: 'skipped', reason: 'ephemeral', seconds: 0 }));
    report(end(fresh('a')));
    report(end(fresh('b')));
    report(start('c'));
    report(end({ ...ok('c', 5, 0.1), status: 'error', code: 'MODEL_FAILED', message: 'boom', rows: undefined }));
    report(end({ experimentId: EXP, node: 'analysis:srm', stage: 'srm', status: 'skipped', reason: 'upstream-failed', upstream: 'c', seconds: 0 }));
    report(end({ experimentId: EXP, node: 'memo', stage: 'memo', status: 'skipped', reason: 'upstream-failed', upstream: 'analysis:srm', seconds: 0 }));
    expect(c.text()).toBe([
      `plan: 1 to build, 2 up to date, 0 skipped, then 1 analysis and the memo for ${EXP} (5 steps)`,
      `1-2/5 SKIP ${EXP} a, b fresh (2 steps)`,
      `3/5 FAIL ${EXP} c MODEL_FAILED: boom`,
      `4/5 SKIP ${EXP} analysis:srm upstream c failed`,
      `5/5 SKIP ${EXP} memo upstream analysis:srm failed`,
      '',
    ].join('\n'));
  });

  it('one line per analysis: its start draws the live line only, its end prints the line', () => {
    const c = piped();
    const report = buildReporter(c.out);
    report(plan([], ['ab', 'srm']));
    for (const name of ['ab', 'srm']) {
      report({ type: 'step-start', experimentId: EXP, node: `analysis:${name}`, stage: name, label: `analysis ${name}` });
      report(end({ experimentId: EXP, node: `analysis:${name}`, stage: name, status: 'success', rows: 4, seconds: 0.03 }));
    }
    expect(c.text().split('\n').filter((l) => l.includes('analysis'))).toEqual([
      `1/2 OK   ${EXP} analysis:ab 4 rows in 0.03s`,
      `2/2 OK   ${EXP} analysis:srm 4 rows in 0.03s`,
    ]);
  });

  it('a run of quiet steps is cut by an experiment change, another reason, or any other line', () => {
    const c = piped();
    const report = buildReporter(c.out);
    report(plan([step('a'), step('b'), step('c'), step('d')]));
    report(end(fresh('a')));
    report(end({ ...fresh('b'), experimentId: 'exp_b' }));
    report({ type: 'warning', experimentId: 'exp_b', message: 'note' });
    report(end({ ...fresh('c'), reason: 'flag' }));
    report(end(fresh('d')));
    expect(c.text().split('\n')).toEqual([
      'plan: 4 to build, 0 up to date, 0 skipped (4 steps)',
      `1/4 SKIP ${EXP} a fresh`,
      '2/4 SKIP exp_b b fresh',
      'warning exp_b: note',
      `3/4 SKIP ${EXP} c flag`,
      `4/4 SKIP ${EXP} d fresh`,
      '',
    ]);
  });

  it('verbose: every planned step, and every step on its own line', () => {
    const c = piped();
    const report = buildReporter(c.out, { verbose: true });
    report(plan([step('a', { action: 'skip', reason: 'fresh' }), step('b', { action: 'skip', reason: 'fresh' })]));
    report(end(fresh('a')));
    report(end(fresh('b')));
    expect(c.text()).toBe([
      'plan: 0 to build, 2 up to date, 0 skipped (2 steps)',
      `  skip  ${EXP} a [partitioned, ingest] fresh`,
      `  skip  ${EXP} b [partitioned, ingest] fresh`,
      `1/2 SKIP ${EXP} a fresh`,
      `2/2 SKIP ${EXP} b fresh`,
      '',
    ].join('\n'));
  });

  it('data quality: a WARN line per warning check, a FAIL line per failed one saying the build goes on', () => {
    const c = piped();
    const report = buildReporter(c.out);
    report({ type: 'dq', experimentId: EXP, findings: [
      { check: 'exposures_missing_user_id', status: 'fail', details: '94 of 3030 exposure rows have no user_id; threshold: at most 0.001' },
      { check: 'outcomes_duplicate_rows', status: 'warn', details: '84 of 8658 outcome rows repeat an earlier row exactly; threshold: at most 0.001' },
    ] });
    expect(c.text()).toBe([
      `FAIL ${EXP} exposures_missing_user_id: 94 of 3030 exposure rows have no user_id; threshold: at most 0.001 (data quality: the decision is investigate)`,
      `WARN ${EXP} outcomes_duplicate_rows: 84 of 8658 outcome rows repeat an earlier row exactly; threshold: at most 0.001`,
      '',
    ].join('\n'));
  });
});
