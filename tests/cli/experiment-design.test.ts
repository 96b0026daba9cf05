/**
 * The design check of `xp experiment start` and `xp power --experiment` on the shipped
 * project (temp copy, 2,000 synthetic users per experiment, built once with
 * --generate-synth), bounce_rate opted in to non-inferiority at a small margin (+2%):
 * the warning and a started experiment; with --strict exit 2 and nothing in the ledger;
 * the note for an experiment without a planned sample; a design that passes --strict.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DesignCheck } from '../../src/design/check.ts';
import { xp, type CliResult } from '../helpers/cli.ts';
import type { TempProject } from '../helpers/project.ts';
import { shippedProject } from '../helpers/shipped.ts';
import { rows } from '../helpers/warehouse.ts';

const CHECKOUT = 'exp_checkout_button_001';
const PRICING = 'exp_pricing_test_003';
const CART = 'exp_add_cart_002';

let p: TempProject;
let build: CliResult;

/** bounce_rate (shipped with margin: 0.05) opted in to non-inferiority at +2%. */
function optInBounceRate(t: TempProject): void {
  const yaml = t.read('configs/dev.yaml');
  expect(yaml).toContain('    margin: 0.05\n');
  t.write('configs/dev.yaml', yaml.replace('    margin: 0.05\n', '    margin: 0.02\n    noninferiority: true\n'));
}

const statusLine = async (t: TempProject, id: string): Promise<string> =>
  (await xp(t.root, 'status')).stdout.split('\n').find((l) => l.startsWith(`${id} `)) ?? '';

const ledgerSize = async (t: TempProject): Promise<number> =>
  (await rows<{ n: number }>(t.file('target/warehouse.duckdb'), 'select count(*)::int as n from xp.ledger'))[0]!.n;

beforeAll(async () => {
  p = shippedProject();
  optInBounceRate(p);
  build = await xp(p.root, 'build', '--select', 'all', '--generate-synth');
});
afterAll(() => p.remove());

const WARNING = /^warning: bounce_rate \(guardrail, non-inferiority at \+2%\): (\d+)% power with 15,000 users per arm; about ([\d,]+) per arm needed$/m;

describe('xp experiment start: the design check', () => {
  it('--strict refuses an underpowered start: exit 2, the table first, the experiment stays draft, nothing in the ledger', async () => {
    expect(build.code, build.stderr).toBe(0);
    const before = await ledgerSize(p);
    const r = await xp(p.root, 'experiment', 'start', CHECKOUT, '--strict');
    expect(r.code).toBe(2);
    expect(r.stdout).toMatch(new RegExp(`^design check of ${CHECKOUT}: power target 80%, 15,000 users per arm \\(sequential.target_n_per_arm\\), primary mde not set$`, 'm'));
    expect(r.stdout).toMatch(/^bounce_rate\s+guardrail\s+non-inferiority at \+2%, α 0\.05, CUPED\s+[\d.]+% \(pre\)\s+15,000\s+\d+%\s+[\d,]+\s+underpowered$/m);
    expect(r.stdout).toMatch(WARNING);
    expect(r.stdout).not.toContain('→ running');
    expect(r.stderr).toMatch(new RegExp(`^error\\[LIFECYCLE_INVALID\\] experiment ${CHECKOUT}: cannot start experiment ${CHECKOUT}: the design check does not pass \\(--strict\\): conversion is not checked \\(design.mde is not set\\); bounce_rate has \\d+% power$`, 'm'));
    expect(r.stderr).toContain('hint: raise design.n_per_arm to the needed sample (or widen the margin), add design.mde, or start without --strict to run it anyway; nothing was recorded');
    expect(await statusLine(p, CHECKOUT)).toMatch(new RegExp(`^${CHECKOUT}\\s+draft\\s`));
    expect(await ledgerSize(p)).toBe(before);
  });

  it('without --strict: records the start, exit 0, then the table and the warning in plain words', async () => {
    const r = await xp(p.root, 'experiment', 'start', CHECKOUT);
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.split('\n');
    const started = lines.findIndex((l) => l.startsWith(`${CHECKOUT}: draft → running (ledger seq `));
    const table = lines.findIndex((l) => l.startsWith(`design check of ${CHECKOUT}:`));
    expect(started).toBeGreaterThanOrEqual(0);
    expect(table).toBeGreaterThan(started);
    const [, power, needed] = WARNING.exec(r.stdout)!;
    expect(Number(power)).toBeLessThan(80);
    expect(Number(needed!.replaceAll(',', ''))).toBeGreaterThan(15_000);
    expect(r.stdout).toContain(`note: no minimum effect of interest for the primary: add \`design: { mde: <relative effect, e.g. 0.05> }\` to ${CHECKOUT} to check its power`);
    expect(r.stdout).toMatch(/^note: bounce_rate: CUPED is the pre-registered estimator: variance × \(1 − ρ²\) = [\d.]+ with ρ = -?[\d.]+, the pre\/post correlation of the built data$/m);
    expect(await statusLine(p, CHECKOUT)).toMatch(new RegExp(`^${CHECKOUT}\\s+running\\s`));
  });

  it('an experiment without a planned sample: the note, and the start goes ahead', async () => {
    const r = await xp(p.root, 'experiment', 'start', PRICING);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${PRICING}: draft → running`);
    expect(r.stdout).toContain(`design check of ${PRICING}: power target 80%, no planned sample, primary mde not set`);
    expect(r.stdout).toContain(`note: no planned sample: add \`design: { n_per_arm: <users per arm> }\` to ${PRICING} (or a sequential plan's target_n_per_arm) to get the power; the needed sample is shown`);
    expect(r.stdout).toMatch(/^bounce_rate\s+guardrail\s+non-inferiority at \+2%, α 0\.05, CUPED\s+\S+ \(pre\)\s+—\s+—\s+[\d,]+\s+not checked$/m);
    expect(r.stdout).not.toContain('warning:');
  });

  it('a design: block that is powered passes --strict', async () => {
    p.write(`configs/experiments/${CART}.yml`, `${p.read(`configs/experiments/${CART}.yml`)}design: { n_per_arm: 100000, mde: 0.05 }\n`);
    const r = await xp(p.root, 'experiment', 'start', CART, '--strict');
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain(`design check of ${CART}: power target 80%, 100,000 users per arm (design.n_per_arm), primary mde +5%`);
    expect(r.stdout).toMatch(/^revenue\s+primary\s+\+5% two-sided, α 0\.025, CUPED\s+.+\s+100,000\s+\d+%\s+[\d,]+\s+ok$/m);
    expect(r.stdout).toContain('note: 2 treatments: the primary is tested at α / 2 per treatment (Bonferroni, as the analyses)');
    expect(r.stdout).not.toContain('warning:');
    expect(await statusLine(p, CART)).toMatch(new RegExp(`^${CART}\\s+running\\s`));
  });
});

describe('xp power --experiment', () => {
  it('prints the same check; --n and --mde override the plan; JSON has every number', async () => {
    const r = await xp(p.root, 'power', '--experiment', CHECKOUT, '--n', '200000', '--mde', '0.05', '--format', 'json');
    expect(r.code, r.stderr).toBe(0);
    const c = JSON.parse(r.stdout) as DesignCheck;
    expect(c.plan).toEqual({ nPerArm: 200_000, nSource: 'override', mde: 0.05, power: 0.8 });
    expect(c.rows.map((x) => [x.metric, x.verdict])).toEqual([['conversion', 'ok'], ['bounce_rate', 'ok']]);
    expect(c.passed).toBe(true);
  });

  it('the non-inferiority sample agrees with the one the analysis reports from the same data', async () => {
    const c = JSON.parse((await xp(p.root, 'power', '--experiment', CHECKOUT, '--format', 'json')).stdout) as DesignCheck;
    const needed = c.rows.find((x) => x.metric === 'bounce_rate')!.neededNPerArm!;
    const [ab] = await rows<{ n: number }>(p.file('target/warehouse.duckdb'),
      `select ni_n_per_arm as n from exp.analysis_results where experiment_id = '${CHECKOUT}' and metric = 'bounce_rate'`);
    // the same formula on the same relative scale (m·|μ|); the inputs differ (the pre-period rate of
    // every arm here, the observed se of 849 users per arm there: 70,728 vs 84,069 with this seed),
    // so the band only catches a margin read on another scale (absolute for relative: a factor 1/μ² ≈ 11)
    expect(needed / ab!.n).toBeGreaterThan(0.5);
    expect(needed / ab!.n).toBeLessThan(2);
  });

  it.each([
    [['power', '--experiment', 'nope'], /error\[EXPERIMENT_UNKNOWN\].*unknown experiment "nope"/],
    [['power', '--experiment', CHECKOUT, '--alpha', '0.1'], /error\[USAGE\]: --experiment takes its metrics, alpha and power from the config; drop --alpha/],
    [['power', '--experiment', CHECKOUT, '--n', '1.5'], /error\[USAGE\]: --n "1.5": expected a whole number of users per arm > 0/],
  ])('xp %j → exit 2', async (argv, message) => {
    const r = await xp(p.root, ...argv);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(message);
  });
});

describe('before any build', () => {
  let fresh: TempProject;
  beforeAll(() => {
    fresh = shippedProject();
    optInBounceRate(fresh);
  });
  afterAll(() => fresh.remove());

  it('says there is nothing to take baselines from, and --strict refuses', async () => {
    const r = await xp(fresh.root, 'power', '--experiment', CHECKOUT);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain(`note: ${CHECKOUT} has no built aggregates to take baselines from: build once (\`xp build --select ${CHECKOUT}\`) or pass baselines to xp power`);
    const strict = await xp(fresh.root, 'experiment', 'start', CHECKOUT, '--strict');
    expect(strict.code).toBe(2);
    expect(strict.stderr).toContain('bounce_rate is not checked (nothing is built to take a baseline from)');
    expect(strict.stderr).toContain(`build once (xp build --select ${CHECKOUT})`);
    expect(await statusLine(fresh, CHECKOUT)).toMatch(new RegExp(`^${CHECKOUT}\\s+draft\\s`));
  });

  it('rejects a malformed design block (CONFIG_INVALID, exit 2)', async () => {
    fresh.write(`configs/experiments/${CART}.yml`, `${fresh.read(`configs/experiments/${CART}.yml`)}design: { n_per_arm: 0 }\n`);
    const r = await xp(fresh.root, 'power', '--experiment', CART);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/error\[CONFIG_INVALID\].*design\.n_per_arm/s);
  });
});
