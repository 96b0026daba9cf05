/**
 * Sequential error rates across 5 looks, through the sequential plugin's own look logic
 * (computeLook with the ledger's earlier looks) and the decision rules (decide), on
 * seeded Brownian z paths: the z of a look at information fraction t is S(t)/√t with S a
 * standard Brownian motion under H0 (Jennison & Turnbull 2000, ch. 3). The pipeline
 * calibration (decisions.test.ts) covers one final look on real data; this covers the
 * spending across looks, where the old rule (the fixed-horizon p at every look) gave a
 * 7% false "worse" instead of 2.5%.
 *
 * Monte Carlo: 20,000 paths, sd of a 2.5% rate = √(0.025·0.975/20000) ≈ 0.0011; the
 * tolerance is the rate + 3 sd.
 */
import { describe, expect, it } from 'vitest';
import { computeLook, variantDecision, type LookOutcome, type PreviousLook, type SequentialPlan } from '../../src/analyses/lib/sequential-look.ts';
import { decide, type DecisionInput } from '../../src/analyses/lib/decision-rules.ts';
import { mulberry32 } from '../stats/helpers.ts';

const PATHS = 20_000;
const LOOKS = 5;
const ALPHA = 0.05;
const plan: SequentialPlan = { looks: LOOKS, spending: 'obrien-fleming', alpha: ALPHA, targetNPerArm: 1000 };

function normal(u: () => number): number {
  return Math.sqrt(-2 * Math.log(u() || 1e-300)) * Math.cos(2 * Math.PI * u());
}

function input(z: number, boundary: number | null, decisionOfLook: string | null, look: number, isFinal: boolean): DecisionInput {
  const rel = z * 0.01;
  return {
    primaryMetric: 'conversion', direction: 'increase', alpha: ALPHA, srmThreshold: 0.001, minSamplePerArm: 100,
    dqFailures: [], dqWarnings: [], srm: { status: 'ok', pValue: 0.5 },
    arms: [{ variant: 'control', n: 1000 }, { variant: 'treatment', n: 1000 }],
    primary: [{ variant: 'treatment', status: 'ok', reason: null, absoluteLift: rel, relativeLift: rel, relativeCiLower: rel - 0.0196, relativeCiUpper: rel + 0.0196,
      pValueAdjusted: 0.5, outcome: Math.abs(z) > 1.96 ? (z > 0 ? 'better' : 'worse') : 'inconclusive', mdeAbsolute: 0.03, mdeRelative: 0.03 }],
    guardrails: [],
    sequential: { look, plannedLooks: LOOKS, informationFraction: look / LOOKS, isFinal, boundary, nextInformationFraction: null, nextBoundary: null,
      alphaSpent: null, guardrailBoundary: null, variants: [{ variant: 'treatment', decision: decisionOfLook, z, boundary }] },
    windowComplete: isFinal,
  };
}

describe('sequential decisions across 5 looks (seeded H0 paths)', () => {
  /** The design's looks, as the plugin computes them: the boundaries depend only on the information fractions. */
  function designLooks(): Extract<LookOutcome, { status: 'ok' }>[] {
    const previous: PreviousLook[] = [];
    const out: Extract<LookOutcome, { status: 'ok' }>[] = [];
    for (let k = 1; k <= LOOKS; k++) {
      const t = k / LOOKS;
      const o = computeLook({ plan, direction: 'increase', treatments: 1, rawInformationFraction: t, windowComplete: k === LOOKS, previous, variants: [{ variant: 'treatment', z: 0 }] });
      if (o.status !== 'ok') throw new Error(`look ${k}: ${o.status}`);
      out.push(o);
      previous.push({ look: k, informationFraction: t, spendingFraction: o.spendingFraction, final: o.isFinal, decision: o.decision });
    }
    return out;
  }

  it('false ship and false dont-ship each stay at α/2; the fixed p at every look would not', () => {
    const looks = designLooks();
    const u = mulberry32(20261206);
    let ship = 0;
    let dontShip = 0;
    let naiveWorse = 0;
    for (let p = 0; p < PATHS; p++) {
      let s = 0;
      let stopped: string | null = null;
      let naive = false;
      for (let k = 1; k <= LOOKS && !stopped; k++) {
        s += normal(u) * Math.sqrt(1 / LOOKS);
        const z = s / Math.sqrt(k / LOOKS);
        if (z < -1.96) naive = true;
        const look = looks[k - 1]!;
        const v = variantDecision('increase', z, look.boundary, look.isFinal);
        const d = decide(input(z, look.boundary, v.decision, k, look.isFinal));
        if (d.decision === 'ship' || d.decision === 'dont-ship') stopped = d.decision;
      }
      if (stopped === 'ship') ship++;
      if (stopped === 'dont-ship') dontShip++;
      if (naive) naiveWorse++;
    }
    const tol = ALPHA / 2 + 3 * Math.sqrt((ALPHA / 2) * (1 - ALPHA / 2) / PATHS);
    expect(ship / PATHS).toBeLessThanOrEqual(tol);
    expect(dontShip / PATHS).toBeLessThanOrEqual(tol);
    // the rule this replaces: a fixed-horizon "worse" at any of 5 looks is far above α/2
    expect(naiveWorse / PATHS).toBeGreaterThan(0.05);
    console.info(`sequential calibration over ${PATHS} H0 paths: ship ${ship / PATHS}, dont-ship ${dontShip / PATHS}, fixed-p-at-every-look worse ${naiveWorse / PATHS}`);
  });
});
